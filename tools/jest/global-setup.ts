// Jest loads global set-up with Node's resolver, which knows no path aliases.
import { startTestStack } from '../../libs/testing/src/stack';

export default startTestStack;
