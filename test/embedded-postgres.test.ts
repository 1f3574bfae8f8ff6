import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Command, WalletResult } from '@storecredit/contracts';
import {
  dataDirLockFileName,
  embeddedSocketFileName,
  runningEmbeddedPostgres,
  serverUrlFileName,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '@storecredit/embedded-postgres';
import { LedgerCommands, LedgerModule, LedgerVerifier, ledgerOrmConfig, type CommandOutcome } from '@storecredit/ledger';
import { command, giftCardCode, uniqueId } from '@storecredit/testing';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Every migration the ledger ships, in order. */
const migrationNames = (ledgerOrmConfig().migrations?.migrationsList ?? []).map((migration) => migration.name);

const businessId = 'salon-1';

interface Running {
  db: EmbeddedPostgres;
  app: INestApplicationContext;
  ledger: LedgerCommands;
}

/** What `npm start` does in the embedded mode: start PGlite, migrate as a step of its own, then the ledger. */
async function startLedger(dataDir: string): Promise<Running> {
  const db = await startEmbeddedPostgres(dataDir);
  const orm = await MikroORM.init(ledgerOrmConfig(db.url, { poolMax: db.poolMax }));
  await orm.migrator.up();
  await orm.close();
  const moduleRef = await Test.createTestingModule({
    imports: [LedgerModule.forRoot({ databaseUrl: db.url, poolMax: db.poolMax })],
  }).compile();
  const app = await moduleRef.init();
  return { db, app, ledger: app.get(LedgerCommands) };
}

async function stopLedger(running: Running | undefined): Promise<void> {
  await running?.app.close();
  await running?.db.stop();
}

describe('embedded PostgreSQL (PGlite over the wire protocol)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'storecredit-embedded-'));
  const socketPath = join(dataDir, embeddedSocketFileName);
  /** Balances the ledger must still hold after a restart, by client. */
  const expectedBalances = new Map<string, string>();
  let running: Running | undefined;

  const apply = (cmd: Command): Promise<CommandOutcome> => running!.ledger.apply(cmd);
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    (running!.app.get(MikroORM).em.fork() as EntityManager).execute<T[]>(query, params as never[]);
  const balanceOf = async (clientId: string) =>
    (await sql<{ balance: string }>('select balance::text from wallet where business_id = ? and client_id = ?', [businessId, clientId]))[0]
      ?.balance;
  const add = (clientId: string, amount: string) => apply(command('balance.add', { businessId, clientId, currency: 'AED', amount }));

  afterAll(async () => {
    await stopLedger(running);
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('on a fresh data directory', () => {
    let tcpPortsBefore: number[];

    beforeAll(async () => {
      tcpPortsBefore = listeningTcpPorts();
      running = await startLedger(dataDir);
    });

    it('serves a postgres:// URL on a unix socket in the data directory with a pool of one and applies every migration', async () => {
      expect(running!.db.url).toBe(`postgres://postgres@${encodeURIComponent(dataDir)}:5432/postgres`);
      expect(running!.db.poolMax).toBe(1);
      const migrations = await sql<{ name: string }>('select name from mikro_orm_migrations order by id');
      expect(migrations.map((m) => m.name)).toEqual(migrationNames);
    });

    it('listens on no TCP port, so no local user can connect without a password; only the owner reaches the socket', () => {
      expect(listeningTcpPorts()).toEqual(tcpPortsBefore);
      expect(statSync(socketPath).isSocket()).toBe(true);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(socketPath).mode & 0o077).toBe(0);
    });

    it('tells a second client of the same user where it serves', () => {
      expect(runningEmbeddedPostgres(dataDir)).toEqual({ url: running!.db.url, poolMax: 1, pid: process.pid });
      expect(statSync(join(dataDir, serverUrlFileName)).mode & 0o777).toBe(0o600);
    });

    it('refuses a second opener of the same data directory while it runs', async () => {
      await expect(startEmbeddedPostgres(dataDir)).rejects.toThrow(
        `${dataDir} is in use by another storecredit process (pid ${process.pid}); stop it first or set DATA_DIR`,
      );
      expect(await balanceOf('nobody')).toBeUndefined();
    });

    it('adds and deducts balance', async () => {
      const clientId = uniqueId('client');
      expect((await add(clientId, '25.5')).reply.result).toMatchObject({ entryType: 'balance_added', balanceAfter: '25.50' });
      const { reply } = await apply(command('balance.deduct', { businessId, clientId, currency: 'AED', amount: '5.25' }));
      expect((reply.result as WalletResult).balanceAfter).toBe('20.25');
      expectedBalances.set(clientId, '20.25');
    });

    it('refuses a deduction larger than the balance and changes nothing', async () => {
      const clientId = uniqueId('client');
      await add(clientId, '10.00');
      const { reply } = await apply(command('balance.deduct', { businessId, clientId, currency: 'AED', amount: '10.01' }));
      expect(reply.error).toEqual({ code: 'insufficient_balance', message: 'Insufficient balance', details: { balance: '10.00', currency: 'AED' } });
      expect(await balanceOf(clientId)).toBe('10.00');
      expectedBalances.set(clientId, '10.00');
    });

    it('applies exactly ten of twenty concurrent 1.00 debits on a 10.00 wallet', async () => {
      const clientId = uniqueId('client');
      await add(clientId, '10.00');
      const debit = () => apply(command('balance.debit', { businessId, clientId, currency: 'AED', amount: '1.00' }));
      const outcomes = await Promise.all(Array.from({ length: 20 }, debit));
      expect(outcomes.filter((o) => o.reply.status === 'applied')).toHaveLength(10);
      expect(outcomes.filter((o) => o.reply.error?.code === 'insufficient_balance')).toHaveLength(10);
      expect(await balanceOf(clientId)).toBe('0.00');
      expectedBalances.set(clientId, '0.00');
    });

    it('credits a gift card once when two redemptions race', async () => {
      const code = giftCardCode();
      await apply(command('giftcard.issue', { businessId, code, amount: '75.00', currency: 'AED' }));
      const clients = [uniqueId('client'), uniqueId('client')];
      const outcomes = await Promise.all(clients.map((clientId) => apply(command('giftcard.redeem', { businessId, clientId, currency: 'AED', code }))));
      expect(outcomes.map((o) => o.reply.status).sort()).toEqual(['applied', 'rejected']);
      expect(outcomes.find((o) => o.reply.status === 'rejected')?.reply.error?.code).toBe('gift_card_already_redeemed');
      const redeemed = await sql("select client_id from ledger_entry where type = 'gift_card_redeemed' and client_id in (?, ?)", clients);
      expect(redeemed).toHaveLength(1);
      const winner = (outcomes.find((o) => o.reply.status === 'applied')!.reply.result as WalletResult).clientId;
      expectedBalances.set(winner, '75.00');
    });

    it('replays a command delivered twice and applies it once', async () => {
      const clientId = uniqueId('client');
      const cmd = command('balance.add', { businessId, clientId, currency: 'AED', amount: '5.00' });
      const first = await apply(cmd);
      const second = await apply({ ...cmd });
      expect(second).toEqual({ reply: first.reply, replayed: true });
      expect(await sql('select 1 from ledger_entry where client_id = ?', [clientId])).toHaveLength(1);
      expectedBalances.set(clientId, '5.00');
    });

    it('keeps the append-only trigger and the non-negative CHECK', async () => {
      const [clientId] = [...expectedBalances.keys()];
      await expect(sql('update ledger_entry set amount = 2 where client_id = ?', [clientId])).rejects.toThrow(/append-only/);
      await expect(sql('delete from ledger_entry where client_id = ?', [clientId])).rejects.toThrow(/append-only/);
      await expect(sql('update wallet set balance = -1 where client_id = ?', [clientId])).rejects.toThrow(/wallet_balance_not_negative/);
      expect(await balanceOf(clientId)).toBe(expectedBalances.get(clientId));
    });

    it('keeps one connection’s extended query whole while another connection speaks', async () => {
      const [first, second] = [await wireClient(socketPath), await wireClient(socketPath)];
      try {
        first.send(parse("select 'from-first' as x"), bind());
        await first.until((out) => out.length >= 10); // ParseComplete, BindComplete
        second.send(parse("select 'from-second' as x"), bind(), execute(), sync());
        first.send(execute(), sync());
        await Promise.all([first.until(endsIdle), second.until(endsIdle)]);
        expect(first.text()).toContain('from-first');
        expect(first.text()).not.toContain('ERROR');
        expect(second.text()).toContain('from-second');
      } finally {
        first.close();
        second.close();
      }
    });

    it('verifies the ledger', async () => {
      const report = await running!.app.get(LedgerVerifier).verify();
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    });

    it('keeps every file and directory it wrote the owner’s only, those written while it runs included', () => {
      expect(openToOthers(dataDir)).toEqual([]);
    });
  });

  describe('after a restart on the same data directory', () => {
    beforeAll(async () => {
      await stopLedger(running);
      running = undefined;
      expect(existsSync(join(dataDir, dataDirLockFileName))).toBe(false);
      expect(existsSync(socketPath)).toBe(false);
      expect(runningEmbeddedPostgres(dataDir)).toBeNull();
      // A lock left by a crash whose pid now belongs to another process: same pid, another start time.
      const other = spawn('sleep', ['60']);
      try {
        writeFileSync(join(dataDir, dataDirLockFileName), `${other.pid}\n1\n`);
        expect(runningEmbeddedPostgres(dataDir)).toBeNull();
        running = await startLedger(dataDir);
      } finally {
        other.kill('SIGKILL');
      }
    });

    it('takes over the lock of a crashed process whose pid was reused', () => {
      expect(readFileSync(join(dataDir, dataDirLockFileName), 'utf8')).toMatch(new RegExp(`^${process.pid}\\n\\d+\\n$`));
    });

    it('has no migration pending', async () => {
      const orm = await MikroORM.init(ledgerOrmConfig(running!.db.url, { poolMax: running!.db.poolMax }));
      try {
        expect(await orm.migrator.getPending()).toEqual([]);
        expect(await orm.migrator.getExecuted()).toHaveLength(migrationNames.length);
      } finally {
        await orm.close();
      }
    });

    it('still holds every balance', async () => {
      const wallets = await sql<{ client_id: string; balance: string }>(
        'select client_id, balance::text from wallet where business_id = ? and client_id in (?)',
        [businessId, [...expectedBalances.keys()]],
      );
      expect(new Map(wallets.map((w) => [w.client_id, w.balance]))).toEqual(expectedBalances);
    });

    it('goes on applying commands and verifies', async () => {
      const clientId = [...expectedBalances.keys()][0];
      const { reply } = await add(clientId, '1.00');
      expect(reply.status).toBe('applied');
      expect(await running!.app.get(LedgerVerifier).verify()).toMatchObject({ ok: true, problems: [] });
    });
  });
});

describe('embedded PostgreSQL in a data directory too deep for a unix socket path', () => {
  const root = mkdtempSync(join(tmpdir(), 'storecredit-embedded-'));
  const dataDir = join(root, 'a-data-directory-nested-deep-enough'.repeat(3), 'data');
  let running: Running | undefined;

  beforeAll(async () => {
    mkdirSync(dirname(dataDir), { recursive: true });
    running = await startLedger(dataDir);
  });

  afterAll(async () => {
    await stopLedger(running);
    rmSync(root, { recursive: true, force: true });
  });

  it('serves on a socket in an owner-only directory of the OS temp dir, and removes it on stop', async () => {
    const socketDir = decodeURIComponent(new URL(running!.db.url).hostname);
    expect(dirname(socketDir)).toBe(tmpdir());
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(socketDir)).toEqual([embeddedSocketFileName]);
    expect(await running!.app.get(LedgerVerifier).verify()).toMatchObject({ ok: true });
    await stopLedger(running);
    running = undefined;
    expect(existsSync(socketDir)).toBe(false);
  });
});

/** The TCP ports this process listens on, from its socket inodes and /proc/net/tcp{,6} (state 0A: listening). */
function listeningTcpPorts(): number[] {
  const inodes = new Set(
    readdirSync('/proc/self/fd').map((fd) => {
      try {
        return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      } catch {
        return undefined; // closed meanwhile
      }
    }),
  );
  const rows = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) => readFileSync(table, 'utf8').split('\n').slice(1));
  const listening = rows.map((row) => row.trim().split(/\s+/)).filter((fields) => fields[3] === '0A' && inodes.has(fields[9]));
  return [...new Set(listening.map((fields) => Number.parseInt(fields[1].split(':')[1], 16)))].sort();
}

/** Files and directories under root whose mode lets anyone but the owner in. */
function openToOthers(root: string): string[] {
  const stat = statSync(root);
  const here = (stat.mode & 0o077) === 0 ? [] : [`${(stat.mode & 0o777).toString(8)} ${root}`];
  return stat.isDirectory() ? [...here, ...readdirSync(root).flatMap((name) => openToOthers(join(root, name)))] : here;
}

/** A bare wire-protocol client, to send an extended query in two writes as pg may when its writes split. */
interface WireClient {
  send(...messages: Buffer[]): void;
  until(done: (output: Buffer) => boolean): Promise<void>;
  text(): string;
  close(): void;
}

const wireWaitMs = 10_000;

async function wireClient(path: string): Promise<WireClient> {
  const socket: Socket = connect(path);
  let output = Buffer.alloc(0);
  socket.on('data', (data) => (output = Buffer.concat([output, data])));
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const client: WireClient = {
    send: (...messages) => socket.write(Buffer.concat(messages)),
    until: async (done) => {
      const deadline = Date.now() + wireWaitMs;
      while (!done(output)) {
        if (Date.now() > deadline) throw new Error(`no answer in ${wireWaitMs} ms; got ${client.text()}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    text: () => output.toString('latin1'),
    close: () => socket.destroy(),
  };
  client.send(startup());
  await client.until(endsIdle);
  output = Buffer.alloc(0);
  return client;
}

function endsIdle(output: Buffer): boolean {
  return output.subarray(-6).equals(Buffer.from([0x5a, 0, 0, 0, 5, 0x49])); // ReadyForQuery, idle
}

function frame(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), length, body]);
}

const cstring = (value: string) => Buffer.from(`${value}\0`);
const int16s = (...values: number[]) => Buffer.from(values.flatMap((v) => [v >> 8, v & 0xff]));
const startup = () => frame('', int16s(3, 0), cstring('user'), cstring('postgres'), cstring('database'), cstring('postgres'), Buffer.from([0]));
const parse = (query: string) => frame('P', cstring(''), cstring(query), int16s(0));
const bind = () => frame('B', cstring(''), cstring(''), int16s(0, 0, 0));
const execute = () => frame('E', cstring(''), Buffer.alloc(4));
const sync = () => frame('S');
