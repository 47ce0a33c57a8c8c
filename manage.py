#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    from tongxin.devenv import load_dev_env

    load_dev_env()  # var/dev.env, written by `make run`: only when the environment sets no TONGXIN_SECRET_KEY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
