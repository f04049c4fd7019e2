#!/usr/bin/env node
// `sparkbot-receiver`: the receiver service (configuration from the environment, see the README).
import "../dist/main.js";
