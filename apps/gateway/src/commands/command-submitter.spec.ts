import { buildCommand, type Command } from '@storecredit/contracts';
import { actorOf } from '../auth/principal';
import { CommandSubmitter, idempotencyKeyLengthMax } from './command-submitter';
import { appliedReply, fakeCommandPath, refusalOf, rejectedReply, staffPrincipal } from './commands.fakes';

function addCommand(commandId: string): Command {
  return buildCommand({
    type: 'balance.add',
    commandId,
    businessId: staffPrincipal.businessId,
    clientId: 'client-1',
    currency: 'AED',
    actor: actorOf(staffPrincipal),
    amount: '10.00',
    reference: { type: 'manual' },
  });
}

describe(CommandSubmitter.name, () => {
  it('derives the same command id from the same Idempotency-Key, and another in another business', () => {
    const { submitter } = fakeCommandPath();
    const id = submitter.commandIdFor(staffPrincipal, 'key-1');
    expect(submitter.commandIdFor(staffPrincipal, 'key-1')).toBe(id);
    expect(submitter.commandIdFor({ ...staffPrincipal, businessId: 'salon-2' }, 'key-1')).not.toBe(id);
    expect(submitter.commandIdFor(staffPrincipal, undefined)).not.toBe(submitter.commandIdFor(staffPrincipal, undefined));
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(idempotencyKeyLengthMax + 1)],
    ['with a space', 'key 1'],
    ['not ASCII', 'clé'],
  ])('refuses an Idempotency-Key that is %s', (_, key) => {
    const { submitter } = fakeCommandPath();
    expect(() => submitter.commandIdFor(staffPrincipal, key)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('records the submission before sending, and answers an applied command with 200', async () => {
    const { submitter, transport, commands } = fakeCommandPath();
    const command = addCommand('cmd-1');
    const recordedBeforeSending: unknown[] = [];
    transport.answer = (sent) => {
      recordedBeforeSending.push(commands.submissions.get(`${sent.businessId}/${sent.commandId}`));
      return appliedReply(sent);
    };
    const submitted = await submitter.submit(staffPrincipal, command);
    expect(submitted).toEqual({ httpStatus: 200, body: { commandId: 'cmd-1', status: 'applied', replayed: false, result: undefined } });
    expect(transport.sent).toEqual([command]);
    expect(recordedBeforeSending).toEqual([{ type: 'balance.add', principal: `staff:${staffPrincipal.id}` }]);
  });

  it('answers 202 with the status URL when no reply comes in time', async () => {
    const { submitter, transport } = fakeCommandPath();
    transport.answer = () => null;
    expect(await submitter.submit(staffPrincipal, addCommand('cmd:2@pos'))).toEqual({
      httpStatus: 202,
      body: { commandId: 'cmd:2@pos', status: 'pending', statusUrl: '/api/commands/cmd%3A2%40pos' },
    });
  });

  it('turns a rejection into the API error of its code, naming the command', async () => {
    const { submitter, transport } = fakeCommandPath();
    transport.answer = (sent) => rejectedReply(sent, 'insufficient_balance', { balance: '5.00' });
    expect(await refusalOf(submitter.submit(staffPrincipal, addCommand('cmd-3')))).toEqual({
      code: 'insufficient_balance',
      details: { balance: '5.00', commandId: 'cmd-3' },
    });
  });
});
