// Jest loads global set-up with Node's resolver, which knows no path aliases.
import { startEmbeddedTestStack } from '../../libs/testing/src/stack';

export default startEmbeddedTestStack;
