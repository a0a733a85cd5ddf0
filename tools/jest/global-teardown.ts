// Jest loads global tear-down with Node's resolver, which knows no path aliases.
import { stopTestStack } from '../../libs/testing/src/stack';

export default stopTestStack;
