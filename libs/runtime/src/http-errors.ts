import type { NextFunction, Request, Response } from 'express';

/**
 * Express error handler for what fails before a controller runs: a body that is not JSON, or
 * is too large. The caller learns what was wrong in the same shape as every other 4xx.
 */
export function bodyErrorHandler(
  err: { type?: string; status?: number; message?: string },
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (err.type === 'entity.parse.failed') {
    res.status(400).json({
      error: 'malformed_json',
      field: '(body)',
      message: `the body is not valid JSON: ${err.message}`,
    });
    return;
  }
  if (err.type === 'entity.too.large') {
    res.status(413).json({ error: 'body_too_large', field: '(body)', message: err.message });
    return;
  }
  next(err);
}
