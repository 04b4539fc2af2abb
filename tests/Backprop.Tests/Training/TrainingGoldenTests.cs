using System.Text.Json;
using Backprop.Nn;
using Backprop.Optim;
using Backprop.Tests.Golden;

namespace Backprop.Tests.Training;

/// <summary>
/// Whole training runs of Golden/training.json (written by Golden/generate_training.py with torch): 20–50 steps of
/// mini-batches with a partial last batch, each optimizer, schedule and clipping, batch norm, strided and padded
/// convolution and pooling over odd sizes. Every step's loss, the final parameters, the running statistics and the
/// eval-mode outputs must agree with torch in float64 to 1e-12·max(1, |expected|): drift over many steps, a schedule
/// applied one epoch late or a wrong running-variance formula would all show.
/// </summary>
public sealed class TrainingGoldenTests
{
    private const string File = "training.json";

    public static IEnumerable<object[]> Cases => GoldenFile.CaseNames(File);

    [Theory, MemberData(nameof(Cases))]
    public void A_training_run_matches_torch_step_by_step(string name)
    {
        var run = GoldenFile.Case(File, name);
        var network = Build(run.GetProperty("layers"));
        var parameters = network.Parameters().ToArray();
        var initial = run.GetProperty("initial").EnumerateArray().ToArray();
        Assert.Equal(initial.Length, parameters.Length);
        for (int i = 0; i < parameters.Length; i++) GoldenFile.Flat(initial[i]).CopyTo(parameters[i].Data);
        var optimizer = GoldenFile.Optimizer(run.GetProperty("optimizer"), "type", parameters);
        var schedule = CreateSchedule(run.GetProperty("schedule"));
        double? clip = run.GetProperty("clip_max_norm") is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;

        int[] sampleShape = [.. run.GetProperty("input_shape").EnumerateArray().Select(d => d.GetInt32())];
        var x = GoldenFile.Flat(run.GetProperty("x"));
        var y = GoldenFile.Flat(run.GetProperty("y"));
        bool classification = run.GetProperty("loss").GetString() == "cross_entropy";
        int epochs = run.GetProperty("epochs").GetInt32(), batchSize = run.GetProperty("batch_size").GetInt32();
        int sampleLength = sampleShape.Aggregate(1, (a, b) => a * b), rows = x.Length / sampleLength, targetWidth = y.Length / rows;

        var losses = new List<double>();
        var rates = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            schedule?.Apply(optimizer, epoch);
            rates.Add(optimizer.LearningRate);
            for (int start = 0; start < rows; start += batchSize)
            {
                int count = Math.Min(batchSize, rows - start);
                var batch = Tensor.FromArray(x[(start * sampleLength)..((start + count) * sampleLength)], [count, .. sampleShape]);
                optimizer.ZeroGrad();
                var output = network.Forward(batch);
                var loss = classification
                    ? Loss.CrossEntropy(output, y[start..(start + count)].Select(label => (int)label).ToArray())
                    : Loss.Mse(output, Tensor.FromArray(y[(start * targetWidth)..((start + count) * targetWidth)], count, targetWidth));
                loss.Backward();
                if (clip is { } maxNorm) GradientClipping.ClipByGlobalNorm(parameters, maxNorm);
                optimizer.Step();
                losses.Add(loss.Item());
            }
        }

        GoldenFile.AssertClose(GoldenFile.Flat(run.GetProperty("lrs")), rates.ToArray(), $"{name} learning rates");
        GoldenFile.AssertClose(GoldenFile.Flat(run.GetProperty("losses")), losses.ToArray(), $"{name} losses");
        var final = run.GetProperty("final").EnumerateArray().ToArray();
        for (int i = 0; i < parameters.Length; i++)
            GoldenFile.AssertClose(GoldenFile.Flat(final[i]), parameters[i].Data, $"{name} parameter {i}");
        var buffers = network.NamedBuffers().ToArray();
        var running = run.GetProperty("running").EnumerateArray().ToArray();
        Assert.Equal(running.Length, buffers.Length);
        for (int i = 0; i < buffers.Length; i++)
            GoldenFile.AssertClose(GoldenFile.Flat(running[i]), buffers[i].Buffer.Data, $"{name} {buffers[i].Name}");

        network.SetTraining(false);
        using (GradMode.NoGrad())
            GoldenFile.AssertClose(GoldenFile.Flat(run.GetProperty("eval")), network.Forward(Tensor.FromArray(x, [rows, .. sampleShape])).Data, $"{name} eval outputs");
    }

    [Fact]
    public void The_golden_runs_cover_every_optimizer_both_schedules_clipping_batch_norm_and_both_poolings()
    {
        var runs = GoldenFile.Load(File).GetProperty("cases").EnumerateArray().ToArray();
        var optimizers = runs.Select(run => run.GetProperty("optimizer").GetProperty("type").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "sgd", "momentum", "nesterov", "adam", "adamw" }, optimizers);
        var schedules = runs.Select(run => run.GetProperty("schedule")).Where(s => s.ValueKind == JsonValueKind.Object)
            .Select(s => s.GetProperty("type").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "step", "cosine" }, schedules);
        Assert.Contains(runs, run => run.GetProperty("clip_max_norm").ValueKind == JsonValueKind.Number);
        var layerTypes = runs.SelectMany(run => run.GetProperty("layers").EnumerateArray()).Select(l => l.GetProperty("type").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "batchnorm", "conv2d", "maxpool2d", "avgpool2d" }, layerTypes);
        Assert.All(runs, run => Assert.InRange(run.GetProperty("losses").GetArrayLength(), 20, 50));
    }

    private static Sequential<double> Build(JsonElement layers)
    {
        var random = new Random(0); // every parameter is overwritten with the case's initial values
        return new Sequential<double>(layers.EnumerateArray().Select(layer =>
        {
            int Int(string key) => layer.GetProperty(key).GetInt32();
            return layer.GetProperty("type").GetString() switch
            {
                "dense" => (Module<double>)new Linear<double>(Int("in"), Int("out"), random),
                "conv2d" => new Conv2d<double>(Int("in"), Int("out"), Int("kernel"), random, Int("stride"), Int("padding")),
                "batchnorm" => new BatchNorm<double>(Int("channels")),
                "maxpool2d" => new MaxPool2d<double>(Int("kernel"), Int("stride")),
                "avgpool2d" => new AvgPool2d<double>(Int("kernel"), Int("stride")),
                "flatten" => new Flatten<double>(),
                "tanh" => new ActivationLayer<double>(Activation.Tanh),
                "relu" => new ActivationLayer<double>(Activation.Relu),
                "sigmoid" => new ActivationLayer<double>(Activation.Sigmoid),
                var other => throw new InvalidDataException($"unknown layer type {other}"),
            };
        }));
    }


    private static LearningRateSchedule? CreateSchedule(JsonElement spec) => spec.ValueKind != JsonValueKind.Object ? null
        : spec.GetProperty("type").GetString() switch
        {
            "step" => new StepLr(spec.GetProperty("step_size").GetInt32(), spec.GetProperty("gamma").GetDouble()),
            "cosine" => new CosineAnnealingLr(spec.GetProperty("T_max").GetInt32(), spec.GetProperty("eta_min").GetDouble()),
            var other => throw new InvalidDataException($"unknown schedule {other}"),
        };
}
