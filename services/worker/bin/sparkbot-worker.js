#!/usr/bin/env node
// `sparkbot-worker`: the worker service running BOT_MODULE (configuration from the environment).
import "../dist/main.js";
