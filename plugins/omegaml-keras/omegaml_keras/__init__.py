"""omegaml-keras: Keras 3 models as the ``keras.model`` kind.

Importing this package imports neither Keras nor TensorFlow; they are imported
when a Keras model is put or got, or when a Keras task runs.
"""
__version__ = "0.1.0"
