using System.CommandLine;
using Backprop.Cli.Training;
using Backprop.Data;

namespace Backprop.Cli.Commands;

/// <summary>`backprop train`: fit a network to a CSV file, an IDX folder, or the built-in digits.</summary>
internal static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var data = new Option<string?>("--data") { Description = "A CSV file or a folder of IDX files (default: the built-in digits set)", HelpName = "PATH" }.DashIsStandardInput();
        var target = new Option<string?>("--target") { Description = "The CSV target column (default: the last column)", HelpName = "COLUMN" };
        var test = new Option<string?>("--test") { Description = "A CSV test set (default: a held-out split of --data)", HelpName = "PATH" }.DashIsStandardInput();
        var testSplit = new Option<double>("--test-split") { Description = "The fraction held out for testing", DefaultValueFactory = _ => 0.2, HelpName = "FRACTION" }.PlainNumber();
        var task = new Option<string>("--task") { Description = "classification, regression, or auto (decided from the target)", DefaultValueFactory = _ => "auto" };
        task.AcceptOnlyFromAmong("auto", "classification", "regression");
        var layers = new Option<string>("--layers") { Description = "Hidden layer widths", DefaultValueFactory = _ => TrainSettings.DefaultLayers, HelpName = "64,32" };
        var activation = new Option<string>("--activation") { Description = "Hidden activation: " + string.Join(", ", ActivationNames.All), DefaultValueFactory = _ => "relu" };
        var arch = new Option<string?>("--arch") { Description = "A JSON layer stack replacing --layers/--activation", HelpName = "FILE.json" }.DashIsStandardInput();
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data", DefaultValueFactory = _ => TrainSettings.DefaultEpochs, HelpName = "N" };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per gradient step", DefaultValueFactory = _ => TrainSettings.DefaultBatchSize, HelpName = "B" };
        var optimizer = new Option<string>("--optimizer") { Description = "The update rule", DefaultValueFactory = _ => TrainSettings.DefaultOptimizer };
        optimizer.AcceptOnlyFromAmong("sgd", "momentum", "adam", "adamw");
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default: 0.002 for adam/adamw, 0.05 for sgd/momentum)", HelpName = "X" }.PlainNumber();
        var weightDecay = new Option<double?>("--weight-decay") { Description = "Weight decay: decoupled for adamw (default 0.01), an L2 term for the others (default 0)", HelpName = "X" }.PlainNumber();
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule over the epochs: cosine (a half cosine from --lr towards 0), step (×0.1 after each third of the epochs), constant", DefaultValueFactory = _ => "cosine" };
        schedule.AcceptOnlyFromAmong("cosine", "step", "constant");
        var clipNorm = new Option<double?>("--clip-norm") { Description = "Clip gradients to this global L2 norm (default: no clipping)", HelpName = "X" }.PlainNumber();
        var patience = new Option<int?>("--patience") { Description = "Stop early after N epochs without a better test loss (default: train every epoch)", HelpName = "N" };
        var seed = new Option<long>("--seed") { Description = "Makes the run reproducible", DefaultValueFactory = _ => 0, HelpName = "S" };
        var output = new Option<string?>("--out") { Description = "Save the trained model here (safetensors)", HelpName = "MODEL" }.DashRefused("a model file");
        var plot = new Option<string?>("--plot") { Description = "Draw loss/accuracy curves into a .png or .svg file", HelpName = "FILE" }.DashRefused("an image");
        var format = new Option<string>("--format") { Description = "text (progress and summaries) or json (one object at the end)", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Write a checkpoint into DIR after every epoch", HelpName = "DIR" }.NotEmpty();
        var resume = new Option<string?>("--resume") { Description = "Continue from the newest valid checkpoint in DIR", HelpName = "DIR" }.NotEmpty();

        var command = new Command("train", "Train a network and report its test metrics")
        {
            data, target, test, testSplit, task, layers, activation, arch, epochs, batchSize, optimizer, lr, weightDecay,
            schedule, clipNorm, patience, seed, output, plot, format, checkpoint, resume,
        };
        command.SetAction(parse =>
        {
            double split = parse.GetValue(testSplit);
            if (!(split > 0 && split < 1)) throw new UsageException($"--test-split: {split} is not a fraction between 0 and 1");
            int epochCount = parse.GetValue(epochs);
            if (epochCount < 1) throw new UsageException($"--epochs: {epochCount} must be at least 1");
            int batch = parse.GetValue(batchSize);
            if (batch < 1) throw new UsageException($"--batch-size: {batch} must be at least 1");
            if (parse.GetValue(lr) is { } rate && !(rate > 0 && double.IsFinite(rate))) throw new UsageException($"--lr: {rate} must be a positive number");
            double? decay = parse.GetValue(weightDecay);
            if (decay is { } d && !(d >= 0 && double.IsFinite(d))) throw new UsageException($"--weight-decay: {d} must be zero or positive");
            if (parse.GetValue(clipNorm) is { } clip && !(clip > 0 && double.IsFinite(clip))) throw new UsageException($"--clip-norm: {clip} must be a positive number");
            if (parse.GetValue(patience) is { } wait && wait < 1) throw new UsageException($"--patience: {wait} must be at least 1");
            if (parse.GetValue(plot) is { } plotPath) TrainingPlot.Validate(plotPath);
            (string, string?)[] inputs = [("--data", parse.GetValue(data)), ("--test", parse.GetValue(test)), ("--arch", parse.GetValue(arch))];
            PathOptions.RefuseSharedStandardInput(inputs);
            OutputPaths.RefuseInputs("--out", parse.GetValue(output), inputs);
            OutputPaths.RefuseInputs("--plot", parse.GetValue(plot), inputs);
            OutputPaths.RefuseEachOther(("--out", parse.GetValue(output)), ("--plot", parse.GetValue(plot)));
            // NOTE: the contract has --arch replace them; say so rather than let a run differ from what was typed.
            string[] replaced = [.. new Option[] { layers, activation }.Where(option => parse.GetResult(option) is { Implicit: false }).Select(option => option.Name)];
            if (parse.GetValue(arch) is not null && replaced.Length > 0)
                console.Error.WriteLine($"note: --arch replaces {string.Join(" and ", replaced)}, which this run does not use");

            var settings = new TrainSettings
            {
                Data = parse.GetValue(data),
                Target = parse.GetValue(target),
                TestPath = parse.GetValue(test),
                TestSplit = split,
                TestSplitGiven = parse.GetResult(testSplit) is { Implicit: false },
                Task = parse.GetValue(task) switch { "classification" => TaskKind.Classification, "regression" => TaskKind.Regression, _ => null },
                Layers = TrainSettings.ParseLayers(parse.GetValue(layers)!),
                Activation = TrainSettings.ParseActivation(parse.GetValue(activation)!),
                Architecture = parse.GetValue(arch) is { } archPath ? ArchitectureFile.Load(archPath) : null,
                Epochs = epochCount,
                BatchSize = batch,
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(lr),
                WeightDecay = decay,
                Schedule = parse.GetValue(schedule)!,
                ClipNorm = parse.GetValue(clipNorm),
                Patience = parse.GetValue(patience),
                Seed = parse.GetValue(seed),
            };
            return TrainRun.Execute(settings, new TrainOutputs(parse.GetValue(output), parse.GetValue(plot), parse.GetValue(format) == "json",
                parse.GetValue(checkpoint), parse.GetValue(resume)), console);
        });
        return command;
    }
}
