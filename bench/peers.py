"""Runs the same work through mreg and through MLflow, DVC, GTO and model-signing on this
machine, in one run, and prints a Markdown table of ratios (peer time / mreg time).

Every figure is a whole process, as a CI job runs it, followed by `sync` (mreg's writes are
durable when it exits; the peers' are not until the kernel writes them back, so each side pays
for its own writeback). Each mreg run is paired with the peer run next to it, the pair's order
alternating from run to run, and a ratio is the median over runs of each pair's ratio: this
machine's speed swings by several times from one minute to the next, and a pair sees the same
weather. References in the same run: `openssl dgst -sha256` and `cp && sync` of the same bytes.

Called by bench/run, which installs the peers and builds mreg; see there for the options.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

GTO_TIMEOUT = 120  # seconds; GTO reads every tag of the repository on each command


class Bench:
    def __init__(self, options):
        self.mreg = options.mreg
        self.populate = options.populate
        self.venv = options.venv
        self.work = options.work
        self.runs = options.runs
        self.size_mib = options.size_mib
        self.env = dict(os.environ)
        self.env["PATH"] = f"{self.venv}/bin:{self.env['PATH']}"
        # No peer may spend time phoning home (there is no network here to answer it).
        self.env.update(MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="1", DVC_NO_ANALYTICS="1",
                        ITERATIVE_DO_NOT_TRACK="1", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
                        GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
        self.pairs = {}       # (operation, peer) -> [(mreg seconds, peer seconds)]
        self.references = {}  # name -> [seconds]
        self.notes = []

    # -- running processes ---------------------------------------------------------------------

    def time(self, command, cwd=None, timeout=None):
        """Seconds that one whole process takes, with the `sync` after it; a failure stops the run."""
        os.sync()
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, timeout=timeout)
        os.sync()
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            tail = result.stderr.decode(errors="replace").strip().splitlines()[-3:]
            sys.exit(f"bench: `{' '.join(command)}` failed with exit {result.returncode}: {' / '.join(tail)}")
        return elapsed

    def call(self, command, cwd=None, input=None):
        """Runs a set-up step (not timed); returns its standard output."""
        result = subprocess.run(command, cwd=cwd, env=self.env, input=input, capture_output=True)
        if result.returncode != 0:
            sys.exit(f"bench: set-up `{' '.join(command[:4])}` failed: {result.stderr.decode(errors='replace')[-400:]}")
        return result.stdout.decode()

    def pair(self, run, operation, peer, mreg_command, peer_command, peer_cwd=None, timeout=None):
        """Times mreg's command and the peer's one next to each other, alternating which goes first."""
        if run % 2 == 0:
            ours = self.time(mreg_command)
            theirs = self.time(peer_command, cwd=peer_cwd, timeout=timeout)
        else:
            theirs = self.time(peer_command, cwd=peer_cwd, timeout=timeout)
            ours = self.time(mreg_command)
        self.pairs.setdefault((operation, peer), []).append((ours, theirs))

    def reference(self, name, command):
        self.references.setdefault(name, []).append(self.time(command))

    def fresh(self, name):
        path = os.path.join(self.work, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return path

    def mreg_registry(self, name):
        path = os.path.join(self.fresh(name), "registry")
        self.call([self.mreg, "init", path, "-q"])
        return path

    # -- the bytes: register, re-register, sign, verify -----------------------------------------

    def make_inputs(self):
        self.file = os.path.join(self.work, "model.bin")
        self.folder = os.path.join(self.work, "parts")
        os.makedirs(self.folder, exist_ok=True)
        with open("/dev/urandom", "rb") as source:
            with open(self.file, "wb") as out:
                for _ in range(self.size_mib):
                    out.write(source.read(1 << 20))
            for part in range(8):
                with open(os.path.join(self.folder, f"part{part}.bin"), "wb") as out:
                    for _ in range(self.size_mib // 8):
                        out.write(source.read(1 << 20))
        self.keys = self.fresh("keys")
        self.call([self.mreg, "keys", "generate", "bench", "--out", self.keys, "-q"])
        self.call(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f"{self.keys}/ec.pem"])
        self.call(["openssl", "ec", "-in", f"{self.keys}/ec.pem", "-pubout", "-out", f"{self.keys}/ec.pub"])

    def bytes_run(self, run):
        """One round of the byte-heavy work: register, re-register, sign and verify, with the references."""
        # DVC's working copies first, so that no timing starts right after 2 GiB of set-up writes.
        dvc_repo = self.fresh("dvc")
        self.call(["git", "init", "-q"], cwd=dvc_repo)
        self.call(["dvc", "init", "-q"], cwd=dvc_repo)
        self.call(["dvc", "config", "core.analytics", "false"], cwd=dvc_repo)
        # Copies, not links: `dvc add` moves a file into its cache and makes it read-only, which
        # would change the inode that mreg's ingest hints know the original by.
        shutil.copy(self.file, os.path.join(dvc_repo, "model.bin"))
        shutil.copytree(self.folder, os.path.join(dvc_repo, "parts"))
        copy = os.path.join(self.work, "copy")
        shutil.rmtree(copy, ignore_errors=True)
        self.reference("openssl dgst -sha256 (1 file)", ["openssl", "dgst", "-sha256", self.file])
        self.reference("cp && sync (1 file)", ["cp", self.file, copy])
        os.remove(copy)
        self.reference("openssl dgst -sha256 (8 files)", ["sh", "-c", f"openssl dgst -sha256 {self.folder}/*"])
        self.reference("cp && sync (8 files)", ["cp", "-r", self.folder, copy])
        shutil.rmtree(copy)

        for peer in ("dvc", "mlflow"):
            registry = self.mreg_registry("mreg")
            ours = lambda name, path: [self.mreg, "register", "--registry", registry, name, path, "--no-git", "-q"]
            if peer == "dvc":
                theirs = lambda name, path: ["dvc", "add", "-q", os.path.basename(path)]
                cwd = dvc_repo
            else:
                store = self.fresh("mlflow")
                self.call([f"{self.venv}/bin/python", self.mlflow_client, store, "init"])
                theirs = lambda name, path: [f"{self.venv}/bin/python", self.mlflow_client, store, "register", name, path]
                cwd = None
            self.pair(run, f"register a {self.size_label} file", peer, ours("m", self.file), theirs("m", self.file), cwd)
            self.pair(run, "re-register it unchanged", peer, ours("m", self.file), theirs("m", self.file), cwd)
            self.pair(run, f"register 8 files of {self.size_mib // 8} MiB", peer, ours("d", self.folder),
                      theirs("d", self.folder), cwd)
            shutil.rmtree(os.path.dirname(registry))
            shutil.rmtree(os.path.join(self.work, peer))

        # Signing: model-signing hashes the files and signs their digests; mreg signs the manifest
        # of digests it recorded at registration, so the registration is timed too.
        registry = self.mreg_registry("mreg")
        self.call([self.mreg, "keys", "trust", f"{self.keys}/bench.pub", "--registry", registry, "-q"])
        signed = self.fresh("signed")
        os.link(self.file, os.path.join(signed, "model.bin"))
        signature = os.path.join(self.work, "model.sig")
        register = [self.mreg, "register", "--registry", registry, "m", self.file, "--no-git", "-q"]
        sign = [self.mreg, "sign", "m@1", "--key", f"{self.keys}/bench.key", "--registry", registry, "-q"]
        their_sign = ["model_signing", "--log-level", "WARNING", "sign", "key", "--private_key", f"{self.keys}/ec.pem",
                      "--signature", signature, signed]
        if run % 2 == 0:
            registered, signed_alone = self.time(register), self.time(sign)
            theirs = self.time(their_sign)
        else:
            theirs = self.time(their_sign)
            registered, signed_alone = self.time(register), self.time(sign)
        ours = registered + signed_alone
        self.references.setdefault("mreg sign alone (of the registered version)", []).append(signed_alone)
        self.pairs.setdefault((f"register and sign a {self.size_label} file", "model-signing"), []).append((ours, theirs))
        self.pair(run, f"verify the signed {self.size_label} file", "model-signing",
                  [self.mreg, "verify", "m@1", "--registry", registry, "-q"],
                  ["model_signing", "--log-level", "WARNING", "verify", "key", "--public_key", f"{self.keys}/ec.pub",
                   "--signature", signature, signed])
        shutil.rmtree(os.path.dirname(registry))
        shutil.rmtree(signed)

    # -- the metadata: promote, roll back, read production, list --------------------------------

    def metadata_registries(self, models, versions):
        """One registry of MODELS x VERSIONS per tool, production on version 1 of every model."""
        tag = f"{models * versions}"
        registry = os.path.join(self.fresh(f"mreg-{tag}"), "registry")
        self.call([self.mreg, "init", registry, "-q"])
        self.call([self.populate, registry, str(models), str(versions)])
        model = f"model-{models // 2:04d}"
        for index in range(models):
            self.call([self.mreg, "promote", f"model-{index:04d}@1", "--to", "production", "--registry", registry, "-q"])
        mlflow_store = self.fresh(f"mlflow-{tag}")
        self.call([f"{self.venv}/bin/python", self.mlflow_client, mlflow_store, "fill", str(models), str(versions)])
        gto_repo = self.fresh(f"gto-{tag}")
        self.call(["git", "init", "-q"], cwd=gto_repo)
        self.call(["git", "fast-import", "--quiet"], cwd=gto_repo, input=gto_history(models, versions).encode())
        return registry, mlflow_store, gto_repo, model

    def metadata_runs(self, models, versions):
        size = models * versions
        registry, mlflow_store, gto_repo, model = self.metadata_registries(models, versions)
        label = f"{size:,} versions"
        mlflow = [f"{self.venv}/bin/python", self.mlflow_client, mlflow_store]
        next_version = 2
        gto_skipped = False
        for run in range(self.runs):
            for peer in ("mlflow", "gto"):
                if peer == "gto" and gto_skipped:
                    continue
                target = next_version
                next_version += 1
                mreg_ops = {
                    "promote": [self.mreg, "promote", f"{model}@{target}", "--to", "production", "--registry", registry],
                    "rollback": [self.mreg, "rollback", model, "--alias", "production", "--reason", "bench", "--registry", registry],
                    "show": [self.mreg, "show", f"{model}@production", "--registry", registry],
                    "list": [self.mreg, "list", model, "--limit", "50", "--registry", registry],
                }
                if peer == "mlflow":  # MLflow keeps no alias history: a rollback is a promotion back to a number it is told
                    peer_ops = {"promote": mlflow + ["promote", model, str(target)],
                                "rollback": mlflow + ["promote", model, "1"],
                                "show": mlflow + ["show", model], "list": mlflow + ["list", model]}
                else:  # GTO neither: it assigns the stage again (--force: it was assigned before) to the version it is told
                    peer_ops = {"promote": ["gto", "assign", model, "--version", f"v0.0.{target}", "--stage", "prod"],
                                "rollback": ["gto", "assign", model, "--version", "v0.0.1", "--stage", "prod", "--force"],
                                "show": ["gto", "show", f"{model}#prod", "--version"], "list": ["gto", "show", model]}
                for operation, title in (("promote", "promote to production"), ("rollback", "roll back"),
                                         ("show", "read which version production serves"),
                                         ("list", "list a model's versions")):
                    try:
                        self.pair(run, f"{title} ({label})", peer, mreg_ops[operation], peer_ops[operation],
                                  peer_cwd=gto_repo if peer == "gto" else None,
                                  timeout=GTO_TIMEOUT if peer == "gto" else None)
                    except subprocess.TimeoutExpired:
                        self.notes.append(f"GTO at {label}: `{' '.join(peer_ops[operation])}` did not finish in "
                                          f"{GTO_TIMEOUT} s; GTO is not measured at this size.")
                        gto_skipped = True
                        break
        for tool in ("mreg", "mlflow", "gto"):
            shutil.rmtree(os.path.join(self.work, f"{tool}-{size}"), ignore_errors=True)

    # -- the table -----------------------------------------------------------------------------

    def table(self):
        names = {"dvc": "DVC (`dvc add`)", "mlflow": "MLflow (client, SQLite)", "gto": "GTO",
                 "model-signing": "model-signing"}
        lines = [f"| operation ({self.runs} runs, medians) | mreg | peer | peer's time | peer / mreg | range over runs |",
                 "|---|---:|---|---:|---:|---:|"]
        operations = list(dict.fromkeys(operation for operation, _ in self.pairs))
        for (operation, peer), samples in sorted(self.pairs.items(), key=lambda item: operations.index(item[0][0])):
            ours = statistics.median(s[0] for s in samples)
            theirs = statistics.median(s[1] for s in samples)
            ratios = [s[1] / s[0] for s in samples]
            lines.append(f"| {operation} | {seconds(ours)} | {names[peer]} | {seconds(theirs)} | "
                         f"**{statistics.median(ratios):.1f}×** | {min(ratios):.1f}–{max(ratios):.1f}× |")
        lines.append("")
        lines.append("References in the same run (medians): " + "; ".join(
            f"{name} {seconds(statistics.median(samples))}" for name, samples in self.references.items()) + ".")
        lines.extend(f"\n{note}" for note in self.notes)
        return "\n".join(lines)

    @property
    def size_label(self):
        return f"{self.size_mib // 1024} GiB" if self.size_mib % 1024 == 0 else f"{self.size_mib} MiB"


def seconds(value):
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def gto_history(models, versions):
    """A `git fast-import` stream of the tags GTO writes: one commit per version (GTO refuses two
    versions of an artifact on one commit), an annotated `NAME@vX` tag on each, and a `NAME#prod#1`
    assignment of version 1."""
    out = []
    mark = 0
    stamp = 1_700_000_000
    for index in range(models):
        name = f"model-{index:04d}"
        for version in range(1, versions + 1):
            mark += 1
            stamp += 1
            out.append(f"commit refs/heads/main\nmark :{mark}\ncommitter bench <bench@localhost> {stamp} +0000\n"
                       f"data 0\n\n")
            message = f"Registering artifact {name} version v0.0.{version}"
            out.append(f"tag {name}@v0.0.{version}\nfrom :{mark}\ntagger bench <bench@localhost> {stamp} +0000\n"
                       f"data {len(message)}\n{message}\n")
            if version == 1:
                first = mark
        message = f"Assigning stage prod to artifact {name} version v0.0.1"
        out.append(f"tag {name}#prod#1\nfrom :{first}\ntagger bench <bench@localhost> {stamp} +0000\n"
                   f"data {len(message)}\n{message}\n")
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mreg", required=True)
    parser.add_argument("--populate", required=True, help="the mreg-populate binary")
    parser.add_argument("--venv", required=True, help="the virtualenv holding the peers")
    parser.add_argument("--work", required=True, help="a scratch folder on the disk being measured")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--registries", default="2x20,15x100,100x1000",
                        help="MODELSxVERSIONS for the metadata operations, comma-separated")
    parser.add_argument("--only", choices=("bytes", "metadata"), help="run one half")
    options = parser.parse_args()
    bench = Bench(options)
    bench.mlflow_client = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlflow_client.py")
    if options.only != "metadata":
        bench.make_inputs()
        # The first writes of a run into memory this VM has not touched yet are the slowest.
        print("bench: bytes, a warm-up round (not counted)", file=sys.stderr)
        bench.bytes_run(0)
        bench.pairs.clear()
        bench.references.clear()
        for run in range(options.runs):
            print(f"bench: bytes, run {run + 1} of {options.runs}", file=sys.stderr)
            bench.bytes_run(run)
    if options.only != "bytes":
        for shape in options.registries.split(","):
            models, versions = (int(part) for part in shape.split("x"))
            print(f"bench: metadata, {models * versions:,} versions", file=sys.stderr)
            bench.metadata_runs(models, versions)
    print(bench.table())


if __name__ == "__main__":
    main()
