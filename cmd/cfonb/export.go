package main

import "context"

// runExport is a stub until the command is written.
func runExport(ctx context.Context, e *env, args []string) int { return exitInternal }
