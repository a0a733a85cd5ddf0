import { smsKeyword } from './sms-keywords';

describe('SMS keywords', () => {
  it.each([
    'STOP',
    'stop',
    ' Stop. ',
    'STOP!!!',
    'stop please',
    'Please STOP texting me',
    'StopAll',
    'unsubscribe',
    'Opt out',
    'OPT-OUT',
    'optout',
    'revoke',
    'CANCEL',
    'end',
    'Quit.',
    'stop start',
  ])('%j stops texts', (text) => {
    expect(smsKeyword(text)).toBe('stop');
  });

  it.each(['START', 'start', 'Unstop', 'yes', 'Yes!'])('%j re-subscribes', (text) => {
    expect(smsKeyword(text)).toBe('start');
  });

  it.each(['HELP', 'help?', 'info'])('%j asks for help', (text) => {
    expect(smsKeyword(text)).toBe('help');
  });

  it.each([
    '',
    '   ',
    '!!!',
    'cancel my booking for tomorrow',
    'the end',
    'yes I paid',
    'start my contract',
    'help me with my bill',
    'BOOK',
    'stopping by the store later',
    // A long message that mentions the word is a message, for a person to read.
    'I will not stop calling until someone fixes my internet connection today',
  ])('%j is no keyword', (text) => {
    expect(smsKeyword(text)).toBeUndefined();
  });
});
