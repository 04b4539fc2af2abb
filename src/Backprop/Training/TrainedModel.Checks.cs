using Backprop.Data;
using Backprop.Nn;

namespace Backprop.Training;

public sealed partial class TrainedModel
{
    // NOTE: a model whose parts disagree was taken without a word and failed far from its cause: a network of 2
    // outputs for 3 classes crashed training with an IndexOutOfRangeException in the softmax kernel, and predicted
    // from rows that slid into each other; 3 feature names for an input of 2 were refused only by predict.
    private void CheckPartsAgree()
    {
        long inputSize = ShapeMath.Product(InputShape);
        if (InputShape.Length == 0 || inputSize <= 0)
            throw new ArgumentException($"input shape {ShapeMath.Format(InputShape)} holds no values", "inputShape");
        if (FeatureNames.Length != inputSize)
            throw new ArgumentException($"{FeatureNames.Length} feature names for input shape {ShapeMath.Format(InputShape)} of {inputSize} values", "featureNames");
        if (Task == TaskKind.Classification && (ClassNames is null || ClassNames.Length == 0))
            throw new ArgumentException("a classification model needs its class names", "classNames");
        if (Task == TaskKind.Regression && ClassNames is not null)
            throw new ArgumentException("a regression model has no class names; give null", "classNames");
        if (Normalizer is not null && Normalizer.FeatureCount != inputSize)
            throw new ArgumentException($"the standardisation holds {Normalizer.FeatureCount} features, the input {inputSize}", "normalizer");
        if (!float.IsFinite(TargetMean) || !(TargetScale > 0) || !float.IsFinite(TargetScale))
            throw new ArgumentException($"target mean {TargetMean} and scale {TargetScale} must be finite, the scale positive", "targetScale");
        int outputs = NetworkOutputWidth();
        if (outputs != OutputWidth)
            throw new ArgumentException(Task == TaskKind.Classification
                ? $"the network gives {outputs} outputs per sample, the {ClassNames!.Length} classes need one each"
                : $"the network gives {outputs} outputs per sample, a regression model needs 1", "network");
    }

    // The dry run read as this model reads it: an output of another rank, or a network that does not take the shape, is
    // an ArgumentException about the network.
    private int NetworkOutputWidth()
    {
        int[] shape;
        try
        {
            shape = OneSampleOutputShape(Network, InputShape);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"the network does not take input shape {ShapeMath.Format(InputShape)}: {exception.Message}", "network", exception);
        }
        if (shape.Length != 2)
            throw new ArgumentException($"the network's output for one sample is {ShapeMath.Format(shape)}, not [1, outputs] (a flatten layer missing?)", "network");
        return shape[1];
    }

    /// <summary>The shape of the network's output for one zero sample, in inference mode on this thread (no running
    /// statistic moves, no dropout mask is drawn), read as training reads it: a flat row for a stack that starts with a
    /// dense layer, else in <paramref name="inputShape"/>. Layers that do not fit throw their ArgumentException.</summary>
    /// <remarks>The one dry run behind a model's own check and a model file's (which names the file in its errors).</remarks>
    internal static int[] OneSampleOutputShape(Sequential<float> network, int[] inputShape)
    {
        int[] sampleShape = network.Layers.FirstOrDefault() is Linear<float> ? [(int)ShapeMath.Product(inputShape)] : inputShape;
        using var inference = Module<float>.InInference();
        using var noGrad = GradMode.NoGradOnThread();
        return network.Forward(Tensor.Zeros<float>([1, .. sampleShape])).Shape.ToArray();
    }
}
