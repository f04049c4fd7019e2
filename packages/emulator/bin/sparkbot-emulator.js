#!/usr/bin/env node
// The `sparkbot-emulator` command. A committed launcher rather than dist/cli.js itself, so that
// installing the workspace before building it links the command without a missing-file warning.
import "../dist/cli.js";
