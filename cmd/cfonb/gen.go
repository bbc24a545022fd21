package main

import "context"

// runGen is a stub until the command is written.
func runGen(ctx context.Context, e *env, args []string) int { return exitInternal }
