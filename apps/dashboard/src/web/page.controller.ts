import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';

/** The page's files, read once at start: everything is served from the repository, nothing from a CDN. */
const WEB_DIR = fileURLToPath(new URL('../../web', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The one thing this controller needs of the HTTP response. */
interface HeaderSetter {
  setHeader(name: string, value: string): void;
}

function readWebFiles(): Map<string, { readonly type: string; readonly body: string }> {
  const files = new Map<string, { type: string; body: string }>();
  for (const name of fs.readdirSync(WEB_DIR)) {
    const type = TYPES[path.extname(name)];
    if (type !== undefined)
      files.set(name, { type, body: fs.readFileSync(path.join(WEB_DIR, name), 'utf8') });
  }
  return files;
}

/** GET / is the dashboard page; GET /web/<file> its scripts and styles. The socket.io client comes from socket.io. */
@Controller()
export class PageController {
  private readonly files = readWebFiles();

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  index(): string {
    return this.file('index.html').body;
  }

  @Get('web/:name')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('name') name: string, @Res({ passthrough: true }) res: HeaderSetter): string {
    const f = this.file(name);
    // Browsers run a module script only when it is served as JavaScript.
    res.setHeader('Content-Type', f.type);
    return f.body;
  }

  private file(name: string): { readonly type: string; readonly body: string } {
    const f = this.files.get(name);
    if (f === undefined) throw new NotFoundException(`no such file: ${name}`);
    return f;
  }
}
