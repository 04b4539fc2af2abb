namespace Backprop.Data;

/// <summary>What the target column asks a model to do.</summary>
public enum TaskKind
{
    /// <summary>Predict one of a fixed set of class labels (softmax cross-entropy).</summary>
    Classification,

    /// <summary>Predict one real value (mean squared error).</summary>
    Regression,
}
