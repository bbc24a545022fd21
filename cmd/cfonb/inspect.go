package main

import "context"

// runInspect is a stub until the command is written.
func runInspect(ctx context.Context, e *env, args []string) int { return exitInternal }
