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

    // One zero sample through the network, in inference mode (no running statistic moves, no dropout mask is drawn),
    // read as training reads it: a flat row for a stack that starts with a dense layer, else in the input shape.
    private int NetworkOutputWidth()
    {
        int[] sampleShape = Network.Layers.FirstOrDefault() is Linear<float> ? [(int)ShapeMath.Product(InputShape)] : InputShape;
        using var inference = Module<float>.InInference();
        try
        {
            using var noGrad = GradMode.NoGradOnThread();
            var output = Network.Forward(Tensor.Zeros<float>([1, .. sampleShape]));
            if (output.Rank != 2)
                throw new ArgumentException($"the network's output for one sample is {ShapeMath.Format(output.Shape)}, not [1, outputs] (a flatten layer missing?)", "network");
            return output.Dim(1);
        }
        catch (ArgumentException exception) when (exception.ParamName != "network")
        {
            throw new ArgumentException($"the network does not take input shape {ShapeMath.Format(InputShape)}: {exception.Message}", "network", exception);
        }
    }
}
