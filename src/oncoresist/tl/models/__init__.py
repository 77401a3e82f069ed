"""Predictive models: feature frames, regressors, Cox, cross-validation, training and persistence."""
