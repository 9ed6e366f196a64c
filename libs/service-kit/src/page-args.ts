// The offset/limit arguments of every paged list field, declared once for type-graphql resolvers.
import 'reflect-metadata';
import { ArgsType, Field, Int } from 'type-graphql';
import { checkPage, DEFAULT_CHILD_PAGE, DEFAULT_PAGE, type Page } from './page.js';

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 0 }) offset!: number;
  @Field(() => Int, { defaultValue: DEFAULT_PAGE }) limit!: number;
}

/** A list under a listed parent (a checkpoint's jobs): a smaller default page (DEFAULT_CHILD_PAGE). */
@ArgsType()
export class ChildPageArgs {
  @Field(() => Int, { defaultValue: 0 }) offset!: number;
  @Field(() => Int, { defaultValue: DEFAULT_CHILD_PAGE }) limit!: number;
}

/** The validated page of paging arguments (BAD_USER_INPUT naming the argument otherwise). */
export function pageOf(args: { offset: number; limit: number }): Page {
  return checkPage(args.offset, args.limit);
}
