using System.Globalization;
using Backprop.Data;
using Backprop.Optim;

namespace Backprop.Cli.Training;

/// <summary>The validated settings of one `backprop train` run, with the project's defaults.</summary>
internal sealed record TrainSettings
{
    // Defaults chosen on the built-in digits set and small tabular CSVs (see README, "Choosing defaults").
    public const string DefaultLayers = "128,64";
    public const int DefaultEpochs = 30;
    public const int DefaultBatchSize = 32;
    // AdamW, lr 0.002, decoupled weight decay 0.01: on par with scikit-learn's MLP on small tabular sets
    // (bench/tabular/RESULTS.md), ≥ 97 % on digits, and ~89.8 % on Fashion-MNIST in 15 epochs. Adam with the same
    // decay as a coupled L2 term did slightly better on the tiny sets but cost Fashion-MNIST four points (86.0 %).
    public const string DefaultOptimizer = "adamw";
    public const double DefaultLearningRate = 0.002;
    public const double DefaultAdamWWeightDecay = 0.01;

    public string? Data { get; init; }
    public string? Target { get; init; }
    public string? TestPath { get; init; }
    public double TestSplit { get; init; } = 0.2;

    /// <summary>Whether `--test-split` was given, not defaulted: it then must apply to the data.</summary>
    public bool TestSplitGiven { get; init; }
    public TaskKind? Task { get; init; }
    public int[] Layers { get; init; } = [128, 64];
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>`--arch`: an explicit layer stack that replaces <see cref="Layers"/> and <see cref="Activation"/>.</summary>
    public ArchitectureFile? Architecture { get; init; }
    public int Epochs { get; init; } = DefaultEpochs;
    public int BatchSize { get; init; } = DefaultBatchSize;
    public string Optimizer { get; init; } = DefaultOptimizer;
    public double? LearningRate { get; init; }
    /// <summary>`--weight-decay`; null means the optimizer's default (0.01 for adamw, 0 for the others).</summary>
    public double? WeightDecay { get; init; }

    public double EffectiveWeightDecay => WeightDecay ?? (Optimizer == "adamw" ? DefaultAdamWWeightDecay : 0);
    public string Schedule { get; init; } = "cosine";
    public double? ClipNorm { get; init; }
    public int? Patience { get; init; }
    public long Seed { get; init; }

    /// <summary>The widest hidden layer `--layers` takes.</summary>
    public const int MaxLayerWidth = 1_000_000;

    public static int[] ParseLayers(string text)
    {
        if (text.Trim().Length == 0) return [];
        var widths = text.Split(',');
        var result = new int[widths.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            string width = widths[i].Trim();
            bool digitsOnly = width.Length > 0 && width.All(char.IsAsciiDigit);
            bool parsed = digitsOnly && int.TryParse(width, NumberStyles.None, CultureInfo.InvariantCulture, out result[i]);
            // NOTE: a width beyond the limit (or beyond int) is still a positive number: say it is too wide, not "not positive".
            if (digitsOnly && (!parsed || result[i] > MaxLayerWidth))
                throw new UsageException($"--layers: {width} is wider than the {MaxLayerWidth.ToString("N0", CultureInfo.InvariantCulture)} units a layer may have");
            if (!parsed || result[i] <= 0)
                throw new UsageException($"--layers: '{width}' is not a positive layer width (expected e.g. 64,32)");
        }
        return result;
    }

    public static Activation ParseActivation(string name) =>
        ActivationNames.TryParse(name, out var activation)
            ? activation
            : throw new UsageException($"--activation: unknown activation '{name}' (expected one of {string.Join(", ", ActivationNames.All)})");

    /// <summary>The optimizer's default learning rate: Adam-family 0.002, SGD 0.05.</summary>
    public double EffectiveLearningRate => LearningRate ?? (Optimizer is "adam" or "adamw" ? DefaultLearningRate : 0.05);

    /// <summary>What to try when training diverges with a weight decay that alone makes it diverge, or null.</summary>
    /// <remarks>NOTE: sgd, momentum and adamw take lr × weight decay of each weight off it per step; from 1 on a weight
    /// overshoots zero, and from 2 on it grows without bound, whatever the loss's gradient does. Either flag may be the
    /// one too large. Adam divides the L2 term by the gradient's scale, so there weight decay bounds the step instead.</remarks>
    public string? WeightDecayHint()
    {
        double shrink = EffectiveLearningRate * EffectiveWeightDecay;
        if (Optimizer == "adam" || shrink < 1) return null;
        return $"try a smaller --lr or --weight-decay: each step takes lr × weight decay = {shrink.ToString("G3", CultureInfo.InvariantCulture)} of every weight off it, which must stay below 1";
    }

    public Optimizer<float> CreateOptimizer(IEnumerable<Tensor<float>> parameters) => Optimizer switch
    {
        "sgd" => new Sgd<float>(parameters, EffectiveLearningRate, weightDecay: EffectiveWeightDecay),
        "momentum" => new Sgd<float>(parameters, EffectiveLearningRate, momentum: 0.9, nesterov: true, weightDecay: EffectiveWeightDecay),
        "adam" => new Adam<float>(parameters, EffectiveLearningRate, weightDecay: EffectiveWeightDecay),
        "adamw" => new AdamW<float>(parameters, EffectiveLearningRate, weightDecay: EffectiveWeightDecay),
        _ => throw new UsageException($"--optimizer: unknown optimizer '{Optimizer}'"),
    };

    public LearningRateSchedule? CreateSchedule() => Schedule switch
    {
        "cosine" => new CosineAnnealingLr(Epochs),
        "step" => new StepLr(Math.Max(1, Epochs / 3), 0.1),
        "constant" => null,
        _ => throw new UsageException($"--schedule: unknown schedule '{Schedule}'"),
    };

    /// <summary>
    /// The settings that must match for `--resume` to continue a run exactly, by flag. The data path is made
    /// absolute so that a resume from another working folder still matches.
    /// </summary>
    /// <remarks>NOTE: --epochs matters only through the schedule (cosine and step spread over all epochs), so with
    /// --schedule constant a run may be resumed with a larger --epochs and still match an uninterrupted one.
    /// --patience is left out: it decides where to stop, not what an epoch computes. With --arch, --layers and
    /// --activation are ignored by the run, so they are recorded as unused and match whatever a checkpoint holds
    /// (checkpoints written before this rule recorded their values).</remarks>
    public IReadOnlyList<KeyValuePair<string, string>> ResumeFingerprint()
    {
        static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var settings = new List<KeyValuePair<string, string>>
        {
            new("--data", Data is null ? "<built-in digits>" : Path.GetFullPath(Data)),
            new("--target", Target ?? "<last column>"),
            new("--test", TestPath is null ? "<none>" : Path.GetFullPath(TestPath)),
            new("--test-split", Number(TestSplit)),
            new("--task", Task?.ToString().ToLowerInvariant() ?? "auto"),
            // NOTE: --arch comes first: it decides whether --layers and --activation count, so a mismatch names it.
            new("--arch", Architecture?.Text ?? "<none>"),
            new("--layers", Architecture is null ? string.Join(",", Layers) : CheckpointStore.Unused),
            new("--activation", Architecture is null ? Activation.Name() : CheckpointStore.Unused),
            new("--batch-size", BatchSize.ToString(CultureInfo.InvariantCulture)),
            new("--optimizer", Optimizer),
            new("--lr", Number(EffectiveLearningRate)),
            new("--weight-decay", Number(EffectiveWeightDecay)),
            new("--schedule", Schedule),
            new("--clip-norm", ClipNorm is { } clip ? Number(clip) : "<none>"),
            new("--seed", Seed.ToString(CultureInfo.InvariantCulture)),
        };
        if (Schedule != "constant") settings.Add(new("--epochs", Epochs.ToString(CultureInfo.InvariantCulture)));
        return settings;
    }
}
