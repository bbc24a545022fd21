package main

import "context"

// runFmt is a stub until the command is written.
func runFmt(ctx context.Context, e *env, args []string) int { return exitInternal }
