using System.Globalization;
using System.Runtime.InteropServices;
using Backprop.Data;
using Backprop.IO;
using Backprop.Nn;
using Backprop.Training;
using Spectre.Console;

namespace Backprop.Cli.Training;

/// <summary>Carries out `backprop train`: load, build, fit, report, save.</summary>
internal static class TrainRun
{
    // The terminal's escape sequence that makes the cursor visible (DECTCEM).
    private const string ShowCursor = "\u001b[?25h";

    public static int Execute(TrainSettings settings, TrainOutputs outputs, CliConsole console)
    {
        var data = DataSources.LoadForTraining(settings.Data, settings.Target, settings.TestPath, settings.TestSplit, settings.TestSplitGiven, settings.Task, settings.Seed);
        foreach (var dataNote in data.Notes) console.Error.WriteLine(dataNote);
        var train = data.Train;
        var task = train.Task ?? TaskKind.Classification;
        bool classification = task == TaskKind.Classification;
        if (outputs.ModelPath is { } modelPath) CheckOutputPath(modelPath);
        // Both files are written after training: a folder that refuses either fails now, before the work and before the other file.
        foreach (string? output in new[] { outputs.ModelPath, outputs.PlotPath })
            if (output is not null) AtomicFile.CheckWritable(output);
        if (outputs.CheckpointDirectory is { } checkpointFolder)
        {
            if (File.Exists(checkpointFolder)) throw new UsageException($"--checkpoint: {checkpointFolder} is a file, not a folder");
            // NOTE: made now, so that a folder that cannot be made fails before training rather than after its first epoch.
            try { Directory.CreateDirectory(checkpointFolder); }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--checkpoint: {checkpointFolder}: cannot create the folder ({OutputFileException.Reason(exception)})");
            }
        }

        var model = CreateModel(settings, train);
        int smallestBatch = Trainer.SmallestBatch(model);
        // NOTE: a training set of one row makes every batch a single sample whatever --batch-size says: name the data.
        if (train.Rows < smallestBatch && train.Rows < settings.BatchSize)
            throw new DataFormatException(settings.Data ?? BuiltinData.DigitsSource,
                $"the training data has a single row; {Trainer.BatchNormNeedsTwo}: add rows");
        if (settings.BatchSize < smallestBatch)
            throw new UsageException($"--batch-size {settings.BatchSize}: {Trainer.BatchNormNeedsTwo}");
        var optimizer = settings.CreateOptimizer(model.Network.Parameters());
        var options = new TrainingOptions
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            Seed = settings.Seed,
            Schedule = settings.CreateSchedule(),
            ClipNorm = settings.ClipNorm,
            PrepareInPlace = true, // the raw data is not needed after training: don't hold two copies
        };

        var history = new List<EpochMetrics>();
        int firstEpoch = 1;
        IReadOnlyList<KeyValuePair<string, string>> fingerprint = outputs.ResumeDirectory is null && outputs.CheckpointDirectory is null ? []
            : [.. settings.ResumeFingerprint(), new(CheckpointStore.DataContentKey, CheckpointStore.DataDigest(train, data.Test))];
        var restored = outputs.ResumeDirectory is { } resumeDirectory
            ? CheckpointStore.RestoreNewest(resumeDirectory, model, optimizer, fingerprint, settings.Epochs)
            : null;
        // NOTE: a folder without checkpoints starts the run afresh (a script may pass --resume from its first run on),
        // but a mistyped folder must not silently cost a whole run: say so.
        if (outputs.ResumeDirectory is not null && restored is null)
            console.Error.WriteLine($"note: --resume: {outputs.ResumeDirectory} holds no checkpoint; training starts from epoch 1");
        if (restored is not null)
        {
            firstEpoch = restored.Value.Epoch + 1;
            history = restored.Value.History;
            // NOTE: a skipped checkpoint is not an error (a crash mid-write leaves one), but the user should know.
            foreach (var problem in restored.Value.Skipped)
                console.Error.WriteLine($"note: --resume skipped a damaged checkpoint, resuming after epoch {restored.Value.Epoch}: {ErrorBoundary.OneLine(problem)}");
        }
        EarlyStopping? earlyStopping = settings.Patience is { } patience ? new EarlyStopping(patience) : null;
        if (earlyStopping is not null)
        {
            // NOTE: replay the restored epochs, so a resumed run stops where the uninterrupted one would have.
            int? wouldHaveStopped = null;
            foreach (var earlier in history)
                if (!earlyStopping.OnEpochEnd(earlier)) (firstEpoch, wouldHaveStopped) = (settings.Epochs + 1, wouldHaveStopped ?? earlier.Epoch);
            // NOTE: --patience is not one of the settings a resume must match, so it may stop the run inside the restored
            // epochs: the model is then the checkpoint's, trained past where this patience would have stopped.
            if (wouldHaveStopped is { } stop && stop < history[^1].Epoch)
                console.Error.WriteLine($"note: --resume: --patience {settings.Patience} would have stopped the run after epoch {stop}, " +
                    $"but the checkpoint is from epoch {history[^1].Epoch}; the model is epoch {history[^1].Epoch}'s");
        }

        var callbacks = new List<ITrainingCallback>();
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Out) });
        bool interactive = ansi.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        // NOTE: inside a live progress display, lines must go through Spectre so they print above the bar.
        Action<string> writeLine = interactive ? line => ansi.MarkupLine(Markup.Escape(line)) : console.Out.WriteLine;
        ProgressDisplay? progress = outputs.Json ? null : new ProgressDisplay(writeLine, settings.Epochs, classification);
        if (progress is not null)
        {
            writeLine(Describe(settings, data, model, task));
            foreach (var earlier in history) writeLine(ProgressDisplay.Summary(earlier, settings.Epochs, classification) + "  (from checkpoint)");
            callbacks.Add(progress);
        }
        if (earlyStopping is not null) callbacks.Add(earlyStopping);
        var checkpointDirectory = outputs.CheckpointDirectory ?? outputs.ResumeDirectory;
        var allEpochs = new List<EpochMetrics>(history);
        callbacks.Add(new EpochRecorder(allEpochs, checkpointDirectory is null ? null
            : metrics => CheckpointStore.Write(checkpointDirectory, metrics.Epoch, model, optimizer, allEpochs, fingerprint)));

        TrainingResult Fit()
        {
            try { return Trainer.Fit(model, train, data.Test, optimizer, options, callbacks, firstEpoch); }
            catch (TrainingDivergedException diverged) when (settings.WeightDecayHint() is { } hint) { throw diverged.WithHint(hint); }
        }

        TrainingResult result;
        if (progress is not null && interactive)
        {
            TrainingResult? inner = null;
            // NOTE: the live bar hides the cursor and shows it again when it ends; Ctrl-C or a kill ended the process
            // inside it and left the terminal without a cursor. The signal's default action still ends the run.
            var showCursorOnSignal = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }
                .Select(signal => PosixSignalRegistration.Create(signal, _ => Console.Out.Write(ShowCursor))).ToArray();
            try
            {
                ansi.Progress().AutoClear(true).HideCompleted(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(context =>
                    {
                        progress.Attach(context);
                        inner = Fit();
                    });
            }
            finally
            {
                foreach (var registration in showCursorOnSignal) registration.Dispose();
            }
            result = inner!;
        }
        else
        {
            result = Fit();
        }

        var final = result.FinalTest!;
        // NOTE: test samples far outside the training range overflow the network; they count as wrong, as in eval.
        if (OverflowNote.For(final) is { } note) console.Error.WriteLine(note);
        if (outputs.PlotPath is { } plotPath) TrainingPlot.Draw(plotPath, allEpochs, classification, data.Description);
        if (outputs.ModelPath is { } path)
            TrainedModelFile.Save(path, model, new Dictionary<string, string>
            {
                ["trained_on"] = data.Description,
                ["epochs"] = allEpochs.Count.ToString(CultureInfo.InvariantCulture),
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                ["optimizer"] = settings.Optimizer,
                ["learning_rate"] = settings.EffectiveLearningRate.ToString("R", CultureInfo.InvariantCulture),
                ["batch_size"] = settings.BatchSize.ToString(CultureInfo.InvariantCulture),
                ["backprop_version"] = typeof(TrainedModel).Assembly.GetName().Version?.ToString() ?? "",
            });

        if (outputs.Json)
        {
            console.Out.WriteLine(TrainingReport.Json(allEpochs, final, classification, result.TrainSeconds, result.SamplesPerSecond).ToJsonString());
        }
        else
        {
            string headline = classification
                ? $"test accuracy {final.Accuracy:P2} on {final.Samples} samples (test loss {final.Loss:F4})"
                : $"test RMSE {final.Rmse:G5}, R² {RegressionText.RSquared(final.R2, final.Rmse)}, MAE {final.Mae:G5} on {final.Samples} samples";
            if (earlyStopping?.StoppedAtEpoch is { } stopped) writeLine($"stopped early after epoch {stopped}: no better test loss for {settings.Patience} epochs");
            writeLine($"{headline}; trained {result.TrainSeconds:F2} s, {result.SamplesPerSecond:N0} samples/s");
            if (outputs.ModelPath is { } saved) writeLine($"model saved to {saved}");
        }
        return ExitCodes.Success;
    }

    /// <summary>Refuses an --out the model could not be written to, before training spends its time.</summary>
    private static void CheckOutputPath(string modelPath)
    {
        if (Directory.Exists(modelPath)) throw new UsageException($"--out: {modelPath} is a folder");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (folder is not null && !Directory.Exists(folder)) throw new UsageException($"--out: {modelPath}: the folder {folder} does not exist");
    }

    private static TrainedModel CreateModel(TrainSettings settings, DataSet train)
    {
        bool classification = train.Task != TaskKind.Regression;
        int outputs = classification ? train.ClassCount : 1;
        var random = new Random(unchecked((int)settings.Seed));
        Sequential<float> network;
        if (settings.Architecture is { } architecture)
            network = architecture.Build(train.InputShape, outputs, random, MaxParameters);
        else
        {
            CheckSize(train.FeatureCount, settings.Layers, outputs);
            network = NetworkBuilder.Mlp<float>(train.FeatureCount, settings.Layers, outputs, settings.Activation, random);
        }
        var normalizer = Standardizer.Fit(train);
        // The shape the network sees a row in: --arch's input_shape (e.g. CSV pixels as [1, 8, 8]), else the data's.
        int[] inputShape = settings.Architecture?.InputShape ?? train.InputShape;
        if (!classification)
        {
            var targets = train.Targets!;
            double mean = targets.Average(t => (double)t);
            double deviation = Math.Sqrt(targets.Average(t => (t - mean) * (t - mean)));
            return new TrainedModel(network, TaskKind.Regression, train.FeatureNames, inputShape, null, normalizer,
                (float)mean, deviation > 0 ? (float)deviation : 1f) { TargetName = train.TargetName };
        }
        return new TrainedModel(network, TaskKind.Classification, train.FeatureNames, inputShape, train.ClassNames, normalizer)
        {
            TargetName = train.TargetName,
        };
    }

    /// <summary>Parameters a network may have: a billion floats is 4 GB of weights, and as much again per optimizer buffer.</summary>
    private const long MaxParameters = 1_000_000_000;

    /// <summary>Refuses --layers whose weights could not be allocated (one matrix past an array's length overflowed: exit 1).</summary>
    private static void CheckSize(int inputs, int[] hidden, int outputs)
    {
        long total = 0;
        int fanIn = inputs;
        foreach (int width in hidden.Append(outputs))
        {
            total += (long)fanIn * width + width;
            fanIn = width;
        }
        if (total > MaxParameters)
            throw new UsageException($"--layers: {string.Join(",", hidden)} gives a network of {total:N0} parameters, more than the {MaxParameters:N0} this version trains");
    }

    private static string Describe(TrainSettings settings, DataSources.TrainingData data, TrainedModel model, TaskKind task)
    {
        var dense = model.Network.Layers.OfType<Linear<float>>().ToArray();
        string widths = string.Join("-", dense.Select(layer => layer.InFeatures).Append(model.OutputWidth));
        string activations = string.Join(", ", model.Network.Layers.OfType<ActivationLayer<float>>().Select(layer => layer.Activation.Name()).Distinct());
        string kind = task == TaskKind.Classification ? $"classification, {model.OutputWidth} classes" : "regression";
        bool plainMlp = model.Network.Layers.All(layer => layer is Linear<float> or ActivationLayer<float>);
        string network = plainMlp ? $"MLP {widths} ({(activations.Length == 0 ? "linear" : activations)})"
            : $"[{string.Join(", ", model.InputShape)}] → " + string.Join(" → ", model.Network.Layers.Select(layer => layer.ToString()));
        return $"{data.Description}: {data.Train.Rows} train / {data.Test.Rows} test samples, {kind}; " +
               $"{network}, {settings.Optimizer} lr {settings.EffectiveLearningRate:G3}, batch {settings.BatchSize}, {settings.Epochs} epochs";
    }

    /// <summary>Keeps the full history (including epochs restored from a checkpoint) and writes checkpoints.</summary>
    private sealed class EpochRecorder(List<EpochMetrics> epochs, Action<EpochMetrics>? checkpoint) : ITrainingCallback
    {
        public bool OnEpochEnd(EpochMetrics metrics)
        {
            epochs.Add(metrics);
            checkpoint?.Invoke(metrics);
            return true;
        }
    }
}
