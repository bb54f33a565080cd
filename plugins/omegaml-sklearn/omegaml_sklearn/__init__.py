"""omegaml-sklearn: scikit-learn estimators and pipelines as omegaml models.

Installed through entry points only; the kernel never imports this package
until a scikit-learn object is put or a ``sklearn.joblib`` model is read:

- kind ``sklearn.joblib`` (:mod:`omegaml_sklearn.backend`): any estimator or
  Pipeline, serialized with joblib, or with skops (``serializer='skops'``) for
  stores whose readers refuse pickles (:mod:`omegaml_sklearn.serializers`);
- the runtime task ``sklearn.gridsearch`` (:mod:`omegaml_sklearn.tasks`);
- a promotion pre-condition: unfitted models are not promoted
  (:mod:`omegaml_sklearn.promotion`).
"""
__version__ = "0.1.0"
