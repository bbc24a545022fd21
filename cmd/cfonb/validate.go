package main

import "context"

func runValidate(ctx context.Context, e *env, args []string) int { return exitInternal }
