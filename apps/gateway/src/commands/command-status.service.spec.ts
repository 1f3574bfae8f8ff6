import { CommandStatusService } from './command-status.service';
import type { CommandsRepository } from './commands.repository';
import { FakeCommandsRepository, refusalOf, staffPrincipal } from './commands.fakes';

function service() {
  const commands = new FakeCommandsRepository();
  return { commands, status: new CommandStatusService(commands as unknown as CommandsRepository) };
}

const stored = { schemaVersion: 1 as const, commandId: 'cmd-1', commandType: 'balance.add', businessId: staffPrincipal.businessId, processedAt: '2026-12-02T00:00:00.000Z' };

describe(CommandStatusService.name, () => {
  it('answers the ledger’s stored reply: applied with its result, rejected with its error', async () => {
    const { commands, status } = service();
    commands.replies.set(`${staffPrincipal.businessId}/cmd-1`, { ...stored, status: 'applied' });
    commands.replies.set(`${staffPrincipal.businessId}/cmd-2`, { ...stored, commandId: 'cmd-2', status: 'rejected', error: { code: 'insufficient_balance', message: 'no' } });
    expect(await status.status(staffPrincipal, 'cmd-1')).toEqual({ commandId: 'cmd-1', status: 'applied', commandType: 'balance.add', result: undefined });
    expect(await status.status(staffPrincipal, 'cmd-2')).toEqual({
      commandId: 'cmd-2',
      status: 'rejected',
      commandType: 'balance.add',
      error: { code: 'insufficient_balance', message: 'no' },
    });
  });

  it('answers pending for a command the gateway took and the ledger has not answered', async () => {
    const { commands, status } = service();
    await commands.recordSubmission({ businessId: staffPrincipal.businessId, commandId: 'cmd-3', type: 'balance.deduct' }, 'staff:x');
    expect(await status.status(staffPrincipal, 'cmd-3')).toEqual({ commandId: 'cmd-3', status: 'pending', commandType: 'balance.deduct' });
  });

  it('does not find another business’s command, nor one never sent', async () => {
    const { commands, status } = service();
    await commands.recordSubmission({ businessId: 'salon-2', commandId: 'cmd-4', type: 'balance.add' }, 'staff:y');
    expect(await refusalOf(status.status(staffPrincipal, 'cmd-4'))).toEqual({ code: 'not_found' });
    expect(await refusalOf(status.status(staffPrincipal, 'cmd-5'))).toEqual({ code: 'not_found' });
  });
});
