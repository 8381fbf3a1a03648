"""One MLflow registry operation per process, as a CI job or deploy script would run it.

Usage: python mlflow_client.py DIR OP [ARGS]
  init                        create the tracking database and the experiment
  register NAME PATH          log PATH as a run's artifact, then register it as a new version
  promote NAME VERSION        point the alias `production` at VERSION
  show NAME                   print the version `production` points at
  list NAME                   print the newest 50 versions of NAME
  fill MODELS VERSIONS        make MODELS models of VERSIONS versions each (see below)

The tracking store is SQLite (DIR/mlflow.db) with artifacts under DIR/mlruns, MLflow's own
default layout for a single machine.
"""
import os
import sys

directory, op, args = sys.argv[1], sys.argv[2], sys.argv[3:]
os.chdir(directory)
database = os.path.join(directory, "mlflow.db")

import mlflow  # noqa: E402  (after chdir: MLflow puts artifacts relative to the working folder)
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402

mlflow.set_tracking_uri(f"sqlite:///{database}")
client = MlflowClient()


def model_name(index):
    return f"model-{index:04d}"  # the names mreg-populate gives


if op == "init":
    mlflow.set_experiment("bench")
elif op == "register":
    name, path = args
    mlflow.set_experiment("bench")
    with mlflow.start_run() as run:
        if os.path.isdir(path):
            mlflow.log_artifacts(path, artifact_path="model")
        else:
            mlflow.log_artifact(path, artifact_path="model")
    try:
        client.create_registered_model(name)
    except MlflowException:
        pass  # registered by an earlier version
    print(client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id).version)
elif op == "promote":
    client.set_registered_model_alias(args[0], "production", args[1])
elif op == "show":
    print(client.get_model_version_by_alias(args[0], "production").version)
elif op == "list":
    for version in client.search_model_versions(f"name='{args[0]}'", max_results=50, order_by=["version_number DESC"]):
        print(version.name, version.version, version.aliases)
elif op == "fill":
    # Each model and its first version are made through MLflow's client, so the rows are MLflow's
    # own; the other versions copy the first one's row with their own number, source and time, in
    # one statement (MLflow's client takes ~10 ms a version, over 15 minutes for 100,000).
    import sqlite3

    models, versions = int(args[0]), int(args[1])
    mlflow.set_experiment("bench")
    for index in range(models):
        name = model_name(index)
        client.create_registered_model(name)
        client.create_model_version(name, f"file://{directory}/mlruns/{name}/1", run_id=None)
        client.set_registered_model_alias(name, "production", "1")
    with sqlite3.connect(database) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(model_versions)")]
        computed = {"version": "n.v", "creation_time": "t.creation_time + n.v",
                    "last_updated_time": "t.last_updated_time + n.v",
                    "source": "t.source || '/' || n.v", "storage_location": "t.storage_location || '/' || n.v"}
        select = ", ".join(computed.get(column, f"t.{column}") for column in columns)
        db.execute(
            f"WITH RECURSIVE n(v) AS (SELECT 2 UNION ALL SELECT v + 1 FROM n WHERE v < ?) "
            f"INSERT INTO model_versions ({', '.join(columns)}) "
            f"SELECT {select} FROM n, model_versions t WHERE t.version = 1",
            (versions,))
else:
    sys.exit(f"mlflow_client.py: unknown operation {op}")
