using System.Numerics;

namespace Backprop.Nn;

/// <summary>The loss functions of the contract.</summary>
public enum LossKind
{
    /// <summary>Σ (prediction − target)², the notebook's loss.</summary>
    SquaredError,
    /// <summary>The mean of (prediction − target)² over all elements.</summary>
    Mse,
    /// <summary>Softmax cross-entropy from logits, mean over samples; targets are class indices.</summary>
    CrossEntropy,
    /// <summary>Logistic loss from logits, mean over all elements; targets in {0, 1}.</summary>
    BinaryCrossEntropy,
}

/// <summary>The losses, as autograd tensors to call Backward on, and their names on the command line.</summary>
public static class Loss
{
    private static readonly Dictionary<string, LossKind> ByName = new(StringComparer.Ordinal)
    {
        ["squared_error"] = LossKind.SquaredError,
        ["mse"] = LossKind.Mse,
        ["cross_entropy"] = LossKind.CrossEntropy,
        ["binary_cross_entropy"] = LossKind.BinaryCrossEntropy,
    };

    /// <summary>Every accepted loss name, for error messages and help.</summary>
    public static IEnumerable<string> Names => ByName.Keys;

    /// <summary>The loss called <paramref name="name"/>, if any.</summary>
    public static bool TryParse(string name, out LossKind kind) => ByName.TryGetValue(name, out kind);

    /// <summary>The name of <paramref name="kind"/> on the command line and in explain output.</summary>
    public static string Name(this LossKind kind) =>
        ByName.FirstOrDefault(pair => pair.Value == kind).Key
        ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a loss (one of " + string.Join(", ", ByName.Keys) + ")");

    /// <summary>Σ (prediction − target)², summed rather than averaged (the notebook's cost).</summary>
    public static Tensor<T> SquaredError<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
        => Difference(prediction, target, "squared error").Square().Sum();

    /// <summary>The mean of (prediction − target)², as torch.nn.functional.mse_loss.</summary>
    public static Tensor<T> Mse<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
        => Difference(prediction, target, "mse").Square().Mean();

    // NOTE: prediction and target must have one shape. Broadcast, a [batch, 1] output against [batch] targets
    // compared every prediction with every target and trained towards their mean without a word (PyTorch warns).
    private static Tensor<T> Difference<T>(Tensor<T> prediction, Tensor<T> target, string loss) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!ShapeMath.SameShape(prediction.Shape, target.Shape))
            throw new ArgumentException($"{loss}: target shape {ShapeMath.Format(target.Shape)} differs from prediction {ShapeMath.Format(prediction.Shape)}; " +
                "reshape one to the other (broadcasting would compare every prediction with every target)", nameof(target));
        return prediction - target;
    }

    /// <summary>Mean softmax cross-entropy of logits [batch, classes] against class indices, as torch.nn.functional.cross_entropy.</summary>
    public static Tensor<T> CrossEntropy<T>(Tensor<T> logits, ReadOnlySpan<int> targets) where T : unmanaged, IFloatingPointIeee754<T>
        => Tensor<T>.CrossEntropy(logits, targets);

    /// <summary>Mean binary cross-entropy of logits against 0/1 targets, computed stably from the logits.</summary>
    public static Tensor<T> BinaryCrossEntropy<T>(Tensor<T> logits, Tensor<T> targets) where T : unmanaged, IFloatingPointIeee754<T>
        => Tensor<T>.BinaryCrossEntropyWithLogits(logits, targets);

    // NOTE: a cast would take 1.5 for class 1 and NaN for class 0 (.NET's conversions saturate): a target column of
    // probabilities or a damaged value would train silently towards the wrong class.
    private static int[] ClassIndices<T>(Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = target.ToDoubleArray();
        var classes = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsInteger(values[i]) || values[i] < int.MinValue || values[i] > int.MaxValue)
                throw new ArgumentException($"cross entropy target {i} is {values[i]}, not a class index", nameof(target));
            classes[i] = (int)values[i];
        }
        return classes;
    }

    /// <summary>Applies the loss of <paramref name="kind"/>; class-index targets are given as values of <paramref name="target"/>.</summary>
    public static Tensor<T> Compute<T>(LossKind kind, Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (kind == LossKind.CrossEntropy)
        {
            return CrossEntropy(prediction, ClassIndices(target));
        }
        if (!ShapeMath.SameShape(prediction.Shape, target.Shape))
            throw new ArgumentException($"target shape {ShapeMath.Format(target.Shape)} differs from prediction {ShapeMath.Format(prediction.Shape)}");
        return kind switch
        {
            LossKind.SquaredError => SquaredError(prediction, target),
            LossKind.Mse => Mse(prediction, target),
            LossKind.BinaryCrossEntropy => BinaryCrossEntropy(prediction, target),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }
}
