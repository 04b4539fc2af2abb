using Backprop.Data;
using Backprop.Nn;

namespace Backprop.Training;

/// <summary>
/// A network with everything needed to use it on raw data: the feature standardisation fitted on the
/// training split, the target scaling (regression), the class names (classification) and the input layout.
/// </summary>
/// <remarks>Evaluate, RawOutputs and the Predict methods may be called from several threads at once; training
/// (<see cref="Trainer.Fit"/>) must not run while another thread uses the model.</remarks>
public sealed partial class TrainedModel
{
    private const int EvaluationBatch = 1024, GraphEvaluationBatch = 128;
    private int? smallestBatch;

    /// <summary>A network with everything prediction needs: the task, feature names and input shape, classes, and the input and target scaling it was trained with.
    /// Parts that disagree (a feature name per input value, class names for classification and none for regression, a
    /// standardisation per feature, the network's inputs and outputs) are an <see cref="ArgumentException"/> naming them.</summary>
    public TrainedModel(Sequential<float> network, TaskKind task, string[] featureNames, int[] inputShape,
        string[]? classNames, Standardizer? normalizer, float targetMean = 0, float targetScale = 1)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(inputShape);
        Network = network;
        Task = task;
        FeatureNames = featureNames;
        InputShape = inputShape;
        ClassNames = classNames;
        Normalizer = normalizer;
        TargetMean = targetMean;
        TargetScale = targetScale;
        CheckPartsAgree();
    }

    /// <summary>The layers and their trained parameters.</summary>
    public Sequential<float> Network { get; }
    /// <summary>Classification or regression.</summary>
    public TaskKind Task { get; }
    /// <summary>The input columns in order, which data given for prediction must match.</summary>
    public string[] FeatureNames { get; }
    /// <summary>The shape of one sample ([features], or [channels, height, width]).</summary>
    public int[] InputShape { get; }
    /// <summary>The class names, index by index; null for regression.</summary>
    public string[]? ClassNames { get; }
    /// <summary>The input standardization fitted on the training rows; null for none.</summary>
    public Standardizer? Normalizer { get; }

    /// <summary>Regression targets are trained as (t − mean)/scale, so one learning rate suits any units.</summary>
    public float TargetMean { get; }
    /// <summary>See <see cref="TargetMean"/>.</summary>
    public float TargetScale { get; }

    /// <summary>The CSV column it was trained to predict, by which `eval` and `predict` find the target in other files;
    /// null for images, and for model files written before it was kept.</summary>
    public string? TargetName { get; init; }

    /// <summary>Outputs per sample: the class count, or 1 for regression.</summary>
    public int OutputWidth => Task == TaskKind.Classification ? ClassNames!.Length : 1;

    /// <summary>See <see cref="Trainer.SmallestBatch"/>: worked out once, by a dry run, since the layers and the input shape never change.</summary>
    internal int SmallestBatch => smallestBatch ??= Trainer.SmallestBatchByDryRun(this);

    /// <summary><paramref name="data"/> with standardised features and, for regression, scaled targets: what the
    /// network trains on. A copy, unless <paramref name="inPlace"/> (then the features and targets of
    /// <paramref name="data"/> itself are overwritten).</summary>
    public DataSet Prepare(DataSet data, bool inPlace = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data);
        var features = inPlace ? data.Features : LargeArrays.Copy(data.Features);
        Normalizer?.Apply(features, data.Rows);
        if (Task == TaskKind.Classification)
            return data.Labels is null
                ? DataSet.Unlabelled(features, data.Rows, data.FeatureNames, data.InputShape)
                : DataSet.Classification(features, data.Rows, data.FeatureNames, data.InputShape, LabelsByModelClass(data), ClassNames!);
        if (data.Targets is null) return DataSet.Unlabelled(features, data.Rows, data.FeatureNames, data.InputShape);
        var targets = inPlace ? data.Targets : new float[data.Rows];
        // NOTE: in double, as the features: 3e38 − (−1.5e38) overflows float32 though both are float32 targets.
        for (int i = 0; i < targets.Length; i++) targets[i] = (float)((data.Targets[i] - (double)TargetMean) / TargetScale);
        return DataSet.Regression(features, data.Rows, data.FeatureNames, data.InputShape, targets);
    }

    /// <summary>Raw network outputs for prepared data: logits (rows × classes) or scaled values (rows × 1).</summary>
    public float[] RawOutputs(DataSet prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        using var lease = BeginPrediction();
        return Outputs(prepared, standardize: false);
    }

    /// <summary>Raw network outputs, for raw data when <paramref name="standardize"/>: each batch is standardised in a
    /// buffer of its own on its way in.</summary>
    /// <remarks>NOTE: preparing a whole raw data set first copied all of it (188 MB for Fashion-MNIST's training set),
    /// and on a virtual machine faulting in that much fresh memory cost more than the forward passes.</remarks>
    private float[] Outputs(DataSet data, bool standardize)
    {
        int width = OutputWidth;
        var outputs = new float[data.Rows * width];
        var engine = RentEngine();
        try
        {
            // NOTE: a convolutional network's feature maps are tens of times its input: smaller batches keep them small.
            int evaluationBatch = engine is DenseNetworkEngine<float> ? EvaluationBatch : GraphEvaluationBatch;
            Standardizer.Widened? normalizer = standardize ? Normalizer?.Widen() : null;
            float[] standardized = normalizer is null ? [] : new float[Math.Min(evaluationBatch, data.Rows) * data.FeatureCount];
            for (int start = 0; start < data.Rows; start += evaluationBatch)
            {
                int count = Math.Min(evaluationBatch, data.Rows - start);
                Span<float> input = data.Features.AsSpan(start * data.FeatureCount, count * data.FeatureCount);
                if (normalizer is not null)
                {
                    Span<float> buffer = standardized.AsSpan(0, input.Length);
                    input.CopyTo(buffer);
                    normalizer.Value.Apply(buffer, count);
                    input = buffer;
                }
                engine.Forward(input, count).CopyTo(outputs.AsSpan(start * width, count * width));
            }
        }
        finally
        {
            ReturnEngine(engine);
        }
        return outputs;
    }

    /// <summary>Class probabilities (rows × classes) for raw data.</summary>
    public float[] PredictProbabilities(DataSet data) => PredictClasses(data).Probabilities;

    /// <summary>Each row's predicted class, the largest logit as <see cref="Evaluate"/> scores it (−1 where the outputs
    /// give no probabilities, see <see cref="Evaluation.HasPrediction"/>), and the class probabilities (rows × classes).</summary>
    /// <remarks>NOTE: taken from the logits, not the probabilities: logits 3e-8 apart can round to one float probability,
    /// and the first of two equal probabilities named another class than eval scored.</remarks>
    public (int[] Classes, float[] Probabilities) PredictClasses(DataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data);
        using var lease = BeginPrediction();
        var outputs = Outputs(data, standardize: true);
        int classes = OutputWidth;
        var predicted = new int[data.Rows];
        for (int row = 0; row < data.Rows; row++)
        {
            var logits = outputs.AsSpan(row * classes, classes);
            predicted[row] = Evaluation.HasPrediction(logits) ? Evaluation.ArgMax(logits) : -1;
            Softmax(logits);
        }
        return (predicted, outputs);
    }

    /// <summary>Predicted values in the target's own units, for raw data.</summary>
    public float[] PredictValues(DataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data);
        using var lease = BeginPrediction();
        var values = Outputs(data, standardize: true);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] * (double)TargetScale + TargetMean);
        return values;
    }

    /// <summary>Loss and metrics on raw labelled data.</summary>
    public Evaluation Evaluate(DataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data);
        using var lease = BeginPrediction();
        if (Task == TaskKind.Classification)
        {
            int[] labels = data.Labels is null ? throw new InvalidOperationException("the data has no labels") : LabelsByModelClass(data);
            return Score(Outputs(data, standardize: true), labels);
        }
        var targets = data.Targets ?? throw new InvalidOperationException("the data has no targets");
        return Score(Outputs(data, standardize: true), targets);
    }

    /// <summary>Loss and metrics on already prepared data; <paramref name="rawTargets"/> gives regression
    /// metrics in the target's units.</summary>
    public Evaluation EvaluatePrepared(DataSet prepared, float[]? rawTargets)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (Task == TaskKind.Classification)
            return Score(RawOutputs(prepared), prepared.Labels ?? throw new InvalidOperationException("the data has no labels"));
        return Score(RawOutputs(prepared), rawTargets ?? throw new InvalidOperationException("the data has no targets"));
    }

    private Evaluation Score(float[] logits, int[] labels)
    {
        double loss = Kernels.DenseKernels.CrossEntropySum<float>(logits, labels, labels.Length, OutputWidth);
        return Evaluation.ForClassification(logits, labels, OutputWidth, loss);
    }

    // Scaled network outputs back in the target's units, scored against the raw targets.
    private Evaluation Score(float[] outputs, float[] targets)
    {
        for (int i = 0; i < outputs.Length; i++) outputs[i] = (float)(outputs[i] * (double)TargetScale + TargetMean);
        return Evaluation.ForRegression(outputs, targets);
    }

    // NOTE: a label indexes its own data set's class names. A test set loaded on its own (lacking one class, so its sorted
    // names shift) numbered the classes differently from the model, and training and evaluation scored swapped classes.
    private int[] LabelsByModelClass(DataSet data)
    {
        string[] names = data.ClassNames!;
        int[] labels = data.Labels!;
        if (names.AsSpan().SequenceEqual(ClassNames)) return labels;
        var modelIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < ClassNames!.Length; c++) modelIndex[ClassNames[c]] = c;
        var remapped = new int[labels.Length];
        for (int row = 0; row < labels.Length; row++)
            remapped[row] = modelIndex.TryGetValue(names[labels[row]], out int index) ? index
                : throw new ArgumentException($"row {row}: class '{names[labels[row]]}' is not one of the model's classes " +
                    $"({string.Join(", ", ClassNames)})", nameof(data));
        return remapped;
    }

    private void CheckFeatures(DataSet data)
    {
        long expected = ShapeMath.Product(InputShape);
        if (data.FeatureCount != expected)
            throw new ArgumentException($"the model takes {expected} features, the data has {data.FeatureCount}");
    }

    private static void Softmax(Span<float> row)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
        System.Numerics.Tensors.TensorPrimitives.Subtract(row, max, row);
        System.Numerics.Tensors.TensorPrimitives.Exp(row, row);
        System.Numerics.Tensors.TensorPrimitives.Divide(row, System.Numerics.Tensors.TensorPrimitives.Sum(row), row);
    }
}
