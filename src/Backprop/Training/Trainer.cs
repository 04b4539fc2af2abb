using System.Diagnostics;
using Backprop.Data;
using Backprop.Nn;
using Backprop.Optim;

namespace Backprop.Training;

/// <summary>How to train: epochs, batch size, seed, schedule, clipping.</summary>
public sealed record TrainingOptions
{
    // NOTE: checked as they are set: a batch size of 0 or below (rows / k with k > rows) trained silently on single
    // samples; a clip norm of 0 zeroed every gradient, so nothing trained, ∞ clipped nothing, and NaN failed only after
    // the first batch.
    private readonly int epochs = 20, batchSize = 32;
    private readonly double? clipNorm;

    /// <summary>Passes over the training data (0 trains nothing and only evaluates).</summary>
    public int Epochs
    {
        get => epochs;
        init => epochs = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Epochs), value, "must be 0 or more");
    }

    /// <summary>Rows per optimizer step, at least 1 (clamped to the training set's size).</summary>
    public int BatchSize
    {
        get => batchSize;
        init => batchSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "must be at least 1");
    }
    /// <summary>Seeds the shuffling and dropout, so a run can be repeated exactly.</summary>
    public long Seed { get; init; }
    /// <summary>How the learning rate changes by epoch; null keeps it constant.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Clip gradients to this global L2 norm (finite and &gt; 0) before each step; null for no clipping.</summary>
    public double? ClipNorm
    {
        get => clipNorm;
        init => clipNorm = value is null || (double.IsFinite(value.Value) && value > 0) ? value
            : throw new ArgumentOutOfRangeException(nameof(ClipNorm), value, "must be finite and > 0, or null for no clipping");
    }

    /// <summary>Standardise the given data sets in place rather than in copies: for callers that no longer need
    /// the raw values, it saves a second copy of the data set in memory.</summary>
    public bool PrepareInPlace { get; init; }
}

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="FinalTest">The model's metrics on the test set after the last epoch (null without a test set).</param>
public sealed record TrainingResult(IReadOnlyList<EpochMetrics> Epochs, double TrainSeconds, long SamplesSeen, Evaluation? FinalTest)
{
    /// <summary>Training throughput, 0 when no time was measured.</summary>
    public double SamplesPerSecond => TrainSeconds > 0 ? SamplesSeen / TrainSeconds : 0;
}

/// <summary>The training loop: mini-batches through the model's engine (fused for dense stacks, autograd otherwise), an optimizer step per batch, and
/// per-epoch evaluation reported to callbacks.</summary>
public static class Trainer
{
    /// <param name="firstEpoch">1 for a fresh run; later when resuming from a checkpoint (the shuffling of
    /// each epoch depends only on the seed and the epoch number, so a resumed run repeats the same batches).</param>
    /// <param name="cancellationToken">Checked before each step: once cancelled, Fit throws <see cref="OperationCanceledException"/>
    /// and leaves the weights and the optimizer as the last finished step left them.</param>
    public static TrainingResult Fit(TrainedModel model, DataSet train, DataSet? test, Optimizer<float> optimizer,
        TrainingOptions options, IReadOnlyList<ITrainingCallback>? callbacks = null, int firstEpoch = 1,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        callbacks ??= [];
        CheckTask(model, train, nameof(train));
        if (test is not null) CheckTask(model, test, nameof(test));
        CheckOptimizerSteps(model, optimizer);
        using var lease = model.BeginTraining();
        // Regression metrics are reported in the target's own units: keep the raw test targets.
        var testTargets = test?.Targets is { } targets && options.PrepareInPlace ? (float[])targets.Clone() : test?.Targets;
        var preparedTrain = model.Prepare(train, options.PrepareInPlace);
        var preparedTest = test is null ? null : model.Prepare(test, options.PrepareInPlace);
        // NOTE: a batch never holds more than the whole set, so a larger --batch-size trains identically; clamping it
        // keeps the buffers (batch × width) from overflowing or exhausting memory.
        int batchSize = Math.Min(options.BatchSize, Math.Max(1, train.Rows));
        int smallestBatch = SmallestBatch(model);
        if (batchSize < smallestBatch)
            throw new ArgumentException($"a batch of {batchSize} cannot train this network: {BatchNormNeedsTwo}", nameof(options));
        // NOTE: the model's own engine, which evaluation uses too: one set of activation buffers, not two.
        var engine = model.Engine;
        var loader = new BatchLoader(preparedTrain, batchSize, options.Seed);
        var parameters = model.Network.Parameters().ToArray();
        bool classification = model.Task == TaskKind.Classification;
        // Regression trains on scaled targets; report losses in the target's own units.
        double lossUnit = classification ? 1.0 : (double)model.TargetScale * model.TargetScale;

        var history = new List<EpochMetrics>();
        Evaluation? evaluation = null;
        double trainSeconds = 0;
        long samplesSeen = 0;
        for (int epoch = firstEpoch; epoch <= options.Epochs; epoch++)
        {
            options.Schedule?.Apply(optimizer, epoch - 1);
            var clock = Stopwatch.StartNew();
            loader.StartEpoch(epoch);
            engine.StartEpoch(options.Seed, epoch);
            double lossSum = 0;
            long epochSamples = 0;
            int batch = 0;
            while (loader.Next(out int count))
            {
                // NOTE: a server's request or a test's timeout could stop a long run only from OnEpochEnd, after a whole epoch.
                cancellationToken.ThrowIfCancellationRequested();
                // NOTE: a lone last sample (129 rows in batches of 32) cannot be batch-normalised; it sits this epoch out,
                // as PyTorch's drop_last would drop it, and the next epoch's shuffle puts another sample last.
                if (count < smallestBatch) break;
                float loss = classification
                    ? engine.ComputeGradients(loader.BatchFeatures, loader.BatchLabels, count)
                    : engine.ComputeGradients(loader.BatchFeatures, loader.BatchTargets, count);
                batch++;
                if (!float.IsFinite(loss)) throw new TrainingDivergedException(epoch, batch, loss);
                if (options.ClipNorm is { } maxNorm) GradientClipping.ClipByGlobalNorm(parameters, maxNorm);
                optimizer.Step();
                lossSum += loss;
                epochSamples += count;
                for (int c = 0; c < callbacks.Count; c++) // NOTE: indexed, not foreach: no enumerator per batch
                    callbacks[c].OnBatchEnd(epoch, batch, loader.BatchesPerEpoch, lossSum * lossUnit / epochSamples, (samplesSeen + epochSamples) / (trainSeconds + clock.Elapsed.TotalSeconds));
            }
            clock.Stop();
            trainSeconds += clock.Elapsed.TotalSeconds;
            samplesSeen += epochSamples;

            // NOTE: the loss is checked before each step, so the epoch's last step could still have overflowed the
            // weights; catch that here, before callbacks checkpoint them or the caller saves them.
            if (FirstNonFinite(parameters) is { } broken) throw new TrainingDivergedException(epoch, broken);
            evaluation = preparedTest is null ? null : model.EvaluatePrepared(preparedTest, testTargets);
            // NOTE: a test loss that is not finite has two causes: weights the epoch's last steps made too large, or test
            // samples far outside the training range (eval counts those as wrong). The training data tells them apart.
            if (evaluation is not null && !double.IsFinite(evaluation.Loss) && !OutputsFinite(model, preparedTrain))
                throw new TrainingDivergedException(epoch, $"the test loss became {evaluation.Loss} and the network's outputs on the training data are no longer finite");
            var metrics = new EpochMetrics(epoch, lossSum * lossUnit / Math.Max(epochSamples, 1), evaluation?.Loss,
                evaluation?.Accuracy, evaluation?.Rmse, evaluation?.R2, optimizer.LearningRate, clock.Elapsed.TotalSeconds);
            history.Add(metrics);
            bool keepGoing = true;
            foreach (var callback in callbacks) keepGoing &= callback.OnEpochEnd(metrics);
            if (!keepGoing) break;
        }
        if (evaluation is null && preparedTest is not null) evaluation = model.EvaluatePrepared(preparedTest, testTargets);
        return new TrainingResult(history, trainSeconds, samplesSeen, evaluation);
    }

    // NOTE: regression data on a classification model left the loader's labels empty, and the softmax kernel read past
    // them (IndexOutOfRangeException); data without a target did the same.
    private static void CheckTask(TrainedModel model, DataSet data, string parameter)
    {
        static string Name(TaskKind task) => task == TaskKind.Classification ? "classification" : "regression";
        if (data.Task is not { } task)
            throw new ArgumentException($"the {parameter} data has no target to train or test against", parameter);
        // NOTE: empty data "trained" without a step and reported a loss (and a test accuracy) of 0 as if measured.
        if (data.Rows == 0)
            throw new ArgumentException($"the {parameter} data has no rows{(parameter == "test" ? "; pass null for no test set" : "")}", parameter);
        if (task != model.Task)
            throw new ArgumentException($"the {parameter} data is for {Name(task)}, the model for {Name(model.Task)}", parameter);
    }

    // NOTE: an optimizer made for another network (a fresh copy, or the network before a reload) trained nothing and
    // reported the same loss every epoch; one tensor outside the network would be stepped by a stale gradient. A subset
    // of the network's tensors is fine: the others stay frozen.
    private static void CheckOptimizerSteps(TrainedModel model, Optimizer<float> optimizer)
    {
        var own = new HashSet<Tensor<float>>(model.Network.Parameters(), ReferenceEqualityComparer.Instance);
        for (int i = 0; i < optimizer.Parameters.Count; i++)
            if (!own.Contains(optimizer.Parameters[i]))
                throw new ArgumentException($"the optimizer's parameter {i} of {optimizer.Parameters.Count} is not one of the model's network; " +
                    "make the optimizer from model.Network.Parameters()", nameof(optimizer));
    }

    /// <summary>Why a batch of one cannot train a network with batch norm after a dense layer (part of error messages).</summary>
    public const string BatchNormNeedsTwo = "a batchnorm layer sees one value per channel from each sample (after a dense layer, " +
        "or on a 1×1 map), and its batch mean and variance need at least two samples";

    /// <summary>The fewest samples a training batch of this network may hold: 2 where a batch-norm layer sees one value
    /// per channel from each sample (its batch variance of one sample is 0 / 0), else 1.</summary>
    /// <remarks>Callers that check a batch size before <see cref="Fit"/> (the CLI, to refuse --batch-size 1) ask too:
    /// the model keeps the answer, so the dry run happens once.</remarks>
    public static int SmallestBatch(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.SmallestBatch;
    }

    internal static int SmallestBatchByDryRun(TrainedModel model)
    {
        if (!BatchNorms(model.Network).Any()) return 1;
        // A dry run of one zero sample for the shapes, in inference mode so that no running statistic moves.
        using var inference = Module<float>.InInference();
        using var noGrad = GradMode.NoGradOnThread();
        var x = Tensor.Zeros<float>([1, .. model.InputShape]);
        return SeesOneValuePerChannel(model.Network, ref x) ? 2 : 1;
    }

    // Walks nested stacks too: a batch norm one Sequential down was missed, and training crashed on a lone sample.
    private static bool SeesOneValuePerChannel(Sequential<float> stack, ref Tensor<float> x)
    {
        foreach (var layer in stack.Layers)
        {
            if (layer is Sequential<float> inner)
            {
                if (SeesOneValuePerChannel(inner, ref x)) return true;
                continue;
            }
            if (layer is BatchNorm<float> && (x.Rank == 2 || (x.Rank == 4 && x.Dim(2) * x.Dim(3) == 1))) return true;
            x = layer.Forward(x);
        }
        return false;
    }

    private static IEnumerable<BatchNorm<float>> BatchNorms(Sequential<float> stack) =>
        stack.Layers.SelectMany(layer => layer switch
        {
            BatchNorm<float> norm => [norm],
            Sequential<float> inner => BatchNorms(inner),
            _ => Enumerable.Empty<BatchNorm<float>>(),
        });

    /// <summary>Whether the network gives a finite output for every sample of (prepared) data.</summary>
    private static bool OutputsFinite(TrainedModel model, DataSet prepared) =>
        Array.TrueForAll(model.RawOutputs(prepared), float.IsFinite);

    private static string? FirstNonFinite(Tensor<float>[] parameters)
    {
        for (int p = 0; p < parameters.Length; p++)
            foreach (float value in parameters[p].Data)
                if (!float.IsFinite(value)) return $"parameter {p} holds {value}";
        return null;
    }
}
