"""omegaml quickstart: store a dataset and a model, fit remotely, read everything back.

Runs on the embedded default (a local file under ~/.omegaml, or $OMEGA_HOME):
no database, no broker. Set OMEGA_MONGO_URL and OMEGA_BROKER to run the same
code on MongoDB and Celery workers.
"""
import pandas as pd
from sklearn.linear_model import LogisticRegression

import omegaml_core as om

# a dataset: DataFrames are stored column-wise (Parquet chunks) by omegaml-pandas
df = pd.DataFrame({"x": range(100), "region": ["EU", "US"] * 50})
df["y"] = (df["x"] > 50).astype(int)
om.datasets.put(df, "sales")
print(om.datasets.metadata("sales"))
print(om.datasets.get("sales", region="EU", x__gt=90))

# a model, fitted through the runtime (in-process here, on a Celery worker with OMEGA_BROKER set)
om.models.put(LogisticRegression(), "clf")
print(om.runtime.model("clf").fit("sales[x]", "sales[y]").get()["attributes"])
print(om.runtime.model("clf").predict("sales[x]").get()[:10])

# read back, then promote to another bucket
clf = om.models.get("clf")
print(type(clf).__name__, clf.coef_)
om.models.promote("clf", om["prod"].models)
print("datasets:", om.datasets.list(), "models:", om.models.list(), "prod models:", om["prod"].models.list())
