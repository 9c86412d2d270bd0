import { Body, Controller, createParamDecorator, Param, ParseIntPipe, Post, Query, Req } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { bindInputValidation } from './input-validation';
import { inputValidationPipe } from './validation.pipe';

const Caller = createParamDecorator(() => 'caller');

class ChangeDto {}

@Controller('things')
class ThingsController {
  @Post(':id')
  change(@Caller() _caller: string, @Param('id', ParseIntPipe) _id: number, @Body() _changes: ChangeDto, @Query() _query: object, @Req() _request: unknown): void {}

  notARoute(): void {}
}

const pipesOf = () =>
  Object.fromEntries(
    Object.values(Reflect.getMetadata(ROUTE_ARGS_METADATA, ThingsController, 'change') as Record<string, { index: number; pipes: unknown[] }>).map(({ index, pipes }) => [index, pipes]),
  );

describe('bindInputValidation', () => {
  it('puts the validation pipe first on the body, query and path parameters, once however often it runs, and on nothing else', () => {
    bindInputValidation([ThingsController]);
    bindInputValidation([ThingsController]);
    const pipe = inputValidationPipe();
    const pipes = pipesOf();
    expect(pipes[0]).toEqual([]); // a custom argument: nothing to validate
    expect(pipes[1]).toHaveLength(2);
    expect(pipes[1][0]).toBe(pipe);
    expect(pipes[1][1]).toBe(ParseIntPipe); // the route's own pipe still runs, after validation, as after a global one
    expect(pipes[2]).toEqual([pipe]);
    expect(pipes[3]).toEqual([pipe]);
    expect(pipes[4]).toEqual([]);
    expect(Reflect.getMetadata(ROUTE_ARGS_METADATA, ThingsController, 'notARoute')).toBeUndefined();
  });
});
