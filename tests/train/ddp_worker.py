"""``torchrun`` entry of the two-process tests: the CLI, with faults injected from the
environment, and every thread's stack printed on SIGUSR1. ``DDP_TEST_FINISH_DELAY=S``: process 0 sleeps S seconds before writing the
run's files; ``DDP_TEST_DIE_AT_EPOCH=E``: process 1 kills itself (SIGKILL) as epoch E
(1-based) starts."""
import faulthandler
import os
import signal
import sys
import time

from stgcn_pyg.cli import main
from stgcn_pyg.train import loop

faulthandler.register(signal.SIGUSR1, all_threads=True)  # a hung run's stacks, on demand
RANK = int(os.environ.get("RANK", "0"))
DELAY = float(os.environ.get("DDP_TEST_FINISH_DELAY", "0"))
DIE_AT = int(os.environ.get("DDP_TEST_DIE_AT_EPOCH", "0"))

finish, train_epoch = loop._Run._finish, loop._Run._train_epoch


def slow_finish(self, *args, **kwargs):
    if RANK == 0:
        time.sleep(DELAY)
    return finish(self, *args, **kwargs)


def mortal_train_epoch(self, epoch):
    if RANK == 1 and epoch + 1 == DIE_AT:
        os.kill(os.getpid(), signal.SIGKILL)
    return train_epoch(self, epoch)


loop._Run._finish, loop._Run._train_epoch = slow_finish, mortal_train_epoch
sys.exit(main(sys.argv[1:]))
