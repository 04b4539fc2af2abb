using System.Text.Json;
using Backprop.Optim;
using Backprop.Tests.Golden;

namespace Backprop.Tests.Optim;

/// <summary>
/// Every case of Golden/optimizers.json (written by Golden/generate_optimizers.py with torch.optim):
/// optimizer trajectories, learning-rate schedules and gradient clipping, in float64, to
/// |actual − expected| ≤ 1e-12·max(1, |expected|).
/// </summary>
public sealed class OptimizerGoldenTests
{
    private static readonly JsonElement Golden = LoadGolden();

    private static JsonElement LoadGolden()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", "optimizers.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    private static IEnumerable<JsonElement> Section(string name) => Golden.GetProperty(name).EnumerateArray();

    private static JsonElement Named(string section, string name) =>
        Section(section).Single(item => item.GetProperty("name").GetString() == name);

    public static TheoryData<string> Cases => [.. Section("cases").Select(Name)];

    public static TheoryData<string> Schedules => [.. Section("schedules").Select(Name)];

    public static TheoryData<string> ClippingCases => [.. Section("clipping").Select(Name)];

    private static string Name(JsonElement item) => item.GetProperty("name").GetString()!;

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(value => value.GetDouble())];

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(value => value.GetInt32())];

    private static Tensor<double> TensorOf(JsonElement shapedValues) =>
        Tensor.FromArray(Doubles(shapedValues.GetProperty("values")), Ints(shapedValues.GetProperty("shape")));

    private static void AssertClose(double[] expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-12 * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (difference {actual[i] - expected[i]:E2})");
        }
    }

    private static void AssertClose(double expected, double actual, string what) => AssertClose([expected], [actual], what);


    [Theory, MemberData(nameof(Cases))]
    public void Optimizer_trajectory_matches_torch(string name)
    {
        var testCase = Named("cases", name);
        var parameters = testCase.GetProperty("initial").EnumerateArray().Select(TensorOf).ToArray();
        var optimizer = GoldenFile.Optimizer(testCase, "optimizer", parameters);

        // only adamw_cosine_clip has a schedule and clipping
        LearningRateSchedule? schedule = null;
        if (testCase.TryGetProperty("schedule", out var scheduleJson))
        {
            Assert.Equal("cosine", scheduleJson.GetProperty("type").GetString());
            schedule = new CosineAnnealingLr(scheduleJson.GetProperty("T_max").GetInt32(), scheduleJson.GetProperty("eta_min").GetDouble());
        }
        double? clipMaxNorm = testCase.TryGetProperty("clip_max_norm", out var clipJson) ? clipJson.GetDouble() : null;

        var gradients = testCase.GetProperty("gradients").EnumerateArray().ToArray();
        var expected = testCase.GetProperty("expected").EnumerateArray().ToArray();
        Assert.Equal(5, gradients.Length);
        for (int step = 0; step < gradients.Length; step++)
        {
            var stepGradients = gradients[step].EnumerateArray().ToArray();
            for (int i = 0; i < parameters.Length; i++)
                parameters[i].Grad = Tensor.FromArray(Doubles(stepGradients[i]), parameters[i].ShapeArray);
            if (clipMaxNorm is { } maxNorm)
            {
                double totalNorm = GradientClipping.ClipByGlobalNorm(parameters, maxNorm);
                AssertClose(testCase.GetProperty("total_norms")[step].GetDouble(), totalNorm, $"{name} step {step + 1} total norm");
            }
            if (schedule is not null)
            {
                schedule.Apply(optimizer, step);
                AssertClose(testCase.GetProperty("lrs")[step].GetDouble(), optimizer.LearningRate, $"{name} step {step + 1} lr");
            }
            optimizer.Step();

            var stepExpected = expected[step].EnumerateArray().ToArray();
            for (int i = 0; i < parameters.Length; i++)
                AssertClose(Doubles(stepExpected[i]), parameters[i].Data, $"{name} step {step + 1} parameter {i}");
        }
    }

    [Theory, MemberData(nameof(Schedules))]
    public void Schedule_matches_torch(string name)
    {
        var item = Named("schedules", name);
        LearningRateSchedule schedule = item.GetProperty("type").GetString() switch
        {
            "step" => new StepLr(item.GetProperty("step_size").GetInt32(), item.GetProperty("gamma").GetDouble()),
            "cosine" => new CosineAnnealingLr(item.GetProperty("T_max").GetInt32(), item.GetProperty("eta_min").GetDouble()),
            var other => throw new InvalidDataException($"unknown schedule {other}"),
        };
        double baseLearningRate = item.GetProperty("base_lr").GetDouble();
        var expected = Doubles(item.GetProperty("lrs"));
        var actual = Enumerable.Range(0, expected.Length).Select(epoch => schedule.LearningRateAt(epoch, baseLearningRate)).ToArray();
        AssertClose(expected, actual, name);
    }

    [Theory, MemberData(nameof(ClippingCases))]
    public void Clipping_matches_torch(string name)
    {
        var item = Named("clipping", name);
        Assert.Equal(2.0, item.GetProperty("norm_type").GetDouble());
        var gradients = item.GetProperty("gradients").EnumerateArray().Select(TensorOf).ToArray();
        var parameters = gradients.Select(gradient => new Func<Tensor<double>>(() =>
        {
            var parameter = Tensor.Zeros<double>(gradient.ShapeArray);
            parameter.Grad = gradient;
            return parameter;
        })()).ToArray();

        double totalNorm = GradientClipping.ClipByGlobalNorm(parameters, item.GetProperty("max_norm").GetDouble());

        AssertClose(item.GetProperty("total_norm").GetDouble(), totalNorm, $"{name} total norm");
        var clipped = item.GetProperty("clipped").EnumerateArray().ToArray();
        for (int i = 0; i < parameters.Length; i++)
            AssertClose(Doubles(clipped[i].GetProperty("values")), parameters[i].Grad!.Data, $"{name} gradient {i}");
    }

    [Fact]
    public void The_golden_file_covers_every_optimizer_schedule_and_clipping_side()
    {
        Assert.Equal(["adam", "adamw", "momentum", "nesterov", "sgd"],
            Section("cases").Select(item => item.GetProperty("optimizer").GetString()).Distinct().Order());
        Assert.Equal(8, Cases.Count);
        Assert.Equal(2, Schedules.Count);
        Assert.Equal(2, ClippingCases.Count);
    }
}
