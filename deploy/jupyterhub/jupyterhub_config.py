"""awslab on a single-server hub: The Littlest JupyterHub (TLJH), up to about 100 learners.

Each learner is a user of the hub with a home of their own, so an AWSLAB_HOME of their own
(~/.awslab), so a sandbox and an AWS account of their own (docs/contract.md, "A classroom"). Nothing here is
shared between learners but the installed packages.

On a TLJH server (https://tljh.jupyter.org), as an administrator:

    sudo -E /opt/tljh/user/bin/pip install "awslab @ git+https://github.com/awslab/awslab"
    sudo -E /opt/tljh/user/bin/pip install nbgitpuller
    sudo cp deploy/jupyterhub/jupyterhub_config.py /opt/tljh/config/jupyterhub_config.d/awslab.py
    sudo tljh-config set services.cull.timeout 3600   # stop a learner's server after 1 h idle
    sudo tljh-config reload hub

TLJH reads every file in /opt/tljh/config/jupyterhub_config.d/ after its own configuration,
so what this file sets wins. A learner logs in and lands in JupyterLab on
awslab/notebooks/00_setup.ipynb: nbgitpuller copies the lab's notebooks into their home on
first login (and updates them, keeping their own changes, on later ones).

Memory, as measured by benchmarks/bench_classroom.py on this lab (resident set sizes):
the sandbox about 75 MB after a whole lab, a kernel about 80 MB per open notebook,
JupyterLab (the single-user server) about 100 MB. A learner with one notebook open needs
about 260 MB, with all six open about 660 MB: so MEMORY_LIMIT 1G per learner, and for
a class, about 350 MB per learner at once plus 1-2 GB for the hub and the system (100
learners at once: about 36 GB). Idle learners cost nothing once culled: their server stops
after the culler's timeout, and their sandbox stops with it (it watches the single-user
server it was started under), keeping their account for the next login.
"""

import os

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

LAB_REPOSITORY = os.environ.get("AWSLAB_REPOSITORY", "https://github.com/awslab/awslab")
LAB_BRANCH = os.environ.get("AWSLAB_BRANCH", "main")
FIRST_NOTEBOOK = "notebooks/00_setup.ipynb"
MEMORY_LIMIT = "1G"  # all six notebooks open, with headroom (see above)

# JupyterLab on the lab's first notebook, in the learner's own copy of the lab (nbgitpuller:
# cloned into ~/awslab on first login, merged on later ones).
c.Spawner.default_url = (
    f"/git-pull?repo={LAB_REPOSITORY}&branch={LAB_BRANCH}"
    f"&urlpath=lab/tree/awslab/{FIRST_NOTEBOOK}"
)

# Per learner: TLJH's SystemdSpawner enforces it (MemoryMax of each learner's systemd unit).
# It guarantees nothing: size the server from the figures above.
c.Spawner.mem_limit = MEMORY_LIMIT

c.Spawner.environment.update({
    # Each learner's own account lives in their own home (awslab expands the ~); said here
    # so that no system-wide AWSLAB_HOME could ever make two learners share one.
    "AWSLAB_HOME": "~/.awslab",
    # A sandbox left alone stops after an hour (the culler usually stops the whole server
    # first; the sandbox then stops with it).
    "AWSLAB_SANDBOX_IDLE_SECONDS": "3600",
})
