/**
 * Short, plain text for what a remote transport failed with. The SDK puts the whole response body in
 * its messages ("Error POSTing to endpoint: <!DOCTYPE html>…"), which for a web server's 404 page is a
 * screenful of markup that buries the status: keep the status, strip the tags, cut the rest. Pure.
 */
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { cut, messageOf, squash } from '../core/text.js';

const EXCERPT_CHARS = 120;

export function describeTransportError(error: unknown): string {
  if (error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0) {
    const body = excerpt(error.message.replace(/^Streamable HTTP error: /, '').replace(/^Error POSTing to endpoint:\s*/, ''));
    return `HTTP ${error.code}${body ? ` (${body})` : ''}`;
  }
  if (error instanceof SseError) {
    return error.code !== undefined ? `HTTP ${error.code} on the SSE stream` : `SSE stream: ${excerpt(messageOf(error))}`;
  }
  const message = messageOf(error);
  return looksLikeMarkup(message) ? excerpt(message) : message;
}

/** The HTTP status a transport error carries, if any. */
export function httpStatusOf(error: unknown): number | undefined {
  // retry-after.ts's HttpRateLimited, by name: that module builds on this one.
  if (error instanceof Error && error.name === 'HttpRateLimited') return 429;
  if (error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0) return error.code;
  if (error instanceof SseError && error.code !== undefined) return error.code;
  return undefined;
}

/** Markup removed, whitespace collapsed, cut to a line. */
export function excerpt(text: string): string {
  const markupless = text
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ');
  return cut(squash(markupless), EXCERPT_CHARS);
}

function looksLikeMarkup(text: string): boolean {
  return /<!doctype|<html|<body|<\/\w+>/i.test(text);
}
