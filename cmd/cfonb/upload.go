package main

import "context"

// runUpload is a stub until the command is written.
func runUpload(ctx context.Context, e *env, args []string) int { return exitInternal }

// runJournal is a stub until the command is written.
func runJournal(ctx context.Context, e *env, args []string) int { return exitInternal }

// runSandbox is a stub until the command is written.
func runSandbox(ctx context.Context, e *env, args []string) int { return exitInternal }
