using Backprop.Optim;

namespace Backprop.Tests.Optim;

/// <summary>Hand-worked steps: one parameter p = 1 with gradients 0.5 then 0.25.</summary>
public sealed class OptimizerTests
{
    private static readonly double[] Gradients = [0.5, 0.25];

    private static double[] Trajectory(Func<Tensor<double>, Optimizer<double>> create)
    {
        var parameter = Tensor.From(new[] { 1.0 });
        var optimizer = create(parameter);
        var trajectory = new List<double>();
        foreach (double gradient in Gradients)
        {
            parameter.Grad = Tensor.From(new[] { gradient });
            optimizer.Step();
            trajectory.Add(parameter.Item());
        }
        return [.. trajectory];
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-15);
    }

    [Fact]
    public void Sgd_subtracts_the_learning_rate_times_the_gradient() =>
        // 1 − 0.1·0.5 = 0.95;  0.95 − 0.1·0.25 = 0.925
        AssertClose([0.95, 0.925], Trajectory(p => new Sgd<double>([p], 0.1)));

    [Fact]
    public void Sgd_weight_decay_adds_lambda_times_the_parameter_to_the_gradient() =>
        // d = 0.5 + 0.1·1 = 0.6 → 0.94;  d = 0.25 + 0.094 = 0.344 → 0.9056
        AssertClose([0.94, 0.9056], Trajectory(p => new Sgd<double>([p], 0.1, weightDecay: 0.1)));

    [Fact]
    public void Momentum_starts_its_buffer_at_the_first_gradient() =>
        // b = 0.5 → 0.95;  b = 0.9·0.5 + 0.25 = 0.7 → 0.88
        AssertClose([0.95, 0.88], Trajectory(p => new Sgd<double>([p], 0.1, momentum: 0.9)));

    [Fact]
    public void Nesterov_steps_along_the_gradient_plus_momentum_times_the_buffer() =>
        // b = 0.5, d = 0.5 + 0.45 = 0.95 → 0.905;  b = 0.7, d = 0.25 + 0.63 = 0.88 → 0.817
        AssertClose([0.905, 0.817], Trajectory(p => new Sgd<double>([p], 0.1, momentum: 0.9, nesterov: true)));

    [Fact]
    public void Adam_takes_a_first_step_of_exactly_the_learning_rate() =>
        // t=1: m̂ = g, v̂ = g², so the step is lr·sign(g) (ε = 0).
        // t=2: m = 0.07, v = 0.00031225, m̂ = 0.07/0.19, v̂ = 0.00031225/0.001999 → 0.9 − 0.1·m̂/√v̂
        AssertClose([0.9, 0.8067820361188597], Trajectory(p => new Adam<double>([p], 0.1, epsilon: 0)));

    [Fact]
    public void AdamW_shrinks_the_parameter_before_the_adam_step() =>
        // 1·(1 − 0.1·0.1) − 0.1 = 0.89;  0.89·0.99 − 0.1·m̂/√v̂ (as above)
        AssertClose([0.89, 0.7878820361188597], Trajectory(p => new AdamW<double>([p], 0.1, epsilon: 0, weightDecay: 0.1)));

    [Fact]
    public void A_parameter_without_a_gradient_is_left_alone_and_its_step_count_stays()
    {
        var used = Tensor.From(new[] { 1.0 });
        var unused = Tensor.From(new[] { 2.0 });
        var optimizer = new Adam<double>([used, unused], 0.1);
        used.Grad = Tensor.From(new[] { 1.0 });
        optimizer.Step();
        Assert.Equal(2.0, unused.Item());
        Assert.Equal(1, optimizer.StepCount(0));
        Assert.Equal(0, optimizer.StepCount(1));
    }

    [Fact]
    public void Steps_leave_the_gradient_untouched()
    {
        var parameter = Tensor.From(new[] { 1.0, 2.0 });
        var optimizer = new Sgd<double>([parameter], 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.5);
        parameter.Grad = Tensor.From(new[] { 0.5, -0.5 });
        optimizer.Step();
        optimizer.Step();
        Assert.Equal([0.5, -0.5], parameter.Grad.ToArray());
    }

    [Fact]
    public void ZeroGrad_clears_every_gradient()
    {
        var parameter = Tensor.From(new[] { 1.0, 2.0 });
        parameter.Grad = Tensor.From(new[] { 3.0, 4.0 });
        new Sgd<double>([parameter], 0.1).ZeroGrad();
        Assert.Equal([0.0, 0.0], parameter.Grad.ToArray());
    }

    [Fact]
    public void A_gradient_of_the_wrong_size_is_refused()
    {
        var parameter = Tensor.Zeros<double>(3);
        parameter.Grad = Tensor.Zeros<double>(2);
        Assert.Throws<InvalidOperationException>(() => new Adam<double>([parameter]).Step());
    }

    [Fact]
    public void Nesterov_without_momentum_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new Sgd<double>([Tensor.Zeros<double>(1)], 0.1, nesterov: true));

    [Fact]
    public void Bad_hyperparameters_are_rejected()
    {
        var parameters = new[] { Tensor.Zeros<double>(1) };
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(parameters, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(parameters, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>(parameters, beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW<double>(parameters, weightDecay: -1));
        Assert.Throws<ArgumentException>(() => new Adam<double>([], 0.1));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(double.PositiveInfinity)]
    public void A_learning_rate_set_later_is_checked_as_the_constructor_checks_it_and_the_old_rate_stays(double rate)
    {
        var weight = Tensor.FromArray([1.0, 2.0], 2);
        var optimizer = new Sgd<double>([weight], 0.1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = rate);

        Assert.Equal("LearningRate", error.ParamName);
        Assert.Equal(0.1, optimizer.LearningRate);
        weight.Grad = Tensor.FromArray([1.0, 1.0], 2);
        optimizer.Step();
        Assert.Equal([0.9, 1.9], weight.ToArray());
    }

    public static TheoryData<string> OptimizerKinds => ["sgd", "momentum", "nesterov", "adam", "adamw"];

    private static Optimizer<T> Create<T>(string kind, Tensor<T>[] parameters) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => kind switch
    {
        "sgd" => new Sgd<T>(parameters, 0.01, weightDecay: 0.01),
        "momentum" => new Sgd<T>(parameters, 0.01, momentum: 0.9, weightDecay: 0.01),
        "nesterov" => new Sgd<T>(parameters, 0.01, momentum: 0.9, nesterov: true),
        "adam" => new Adam<T>(parameters, 0.01, weightDecay: 0.01),
        _ => new AdamW<T>(parameters, 0.01),
    };

    [Theory, MemberData(nameof(OptimizerKinds))]
    public void Steps_allocate_nothing_after_warm_up(string kind)
    {
        var random = new Random(1);
        var parameters = new[] { Tensor.Uniform(random, -1f, 1f, 64, 33), Tensor.Uniform(random, -1f, 1f, 33) };
        foreach (var parameter in parameters) parameter.Grad = Tensor.Uniform(random, -1f, 1f, parameter.ShapeArray);
        var optimizer = Create(kind, parameters);
        var schedule = new CosineAnnealingLr(100);
        for (int step = 0; step < 10; step++) optimizer.Step(); // warm-up: JIT, tiering

        var allocated = SteadyState.AllocatedBytesPerRound(() =>
        {
            for (int step = 0; step < 100; step++)
            {
                schedule.Apply(optimizer, step);
                GradientClipping.ClipByGlobalNorm(optimizer.Parameters, 1.0);
                optimizer.Step();
                optimizer.ZeroGrad();
            }
        });
        Assert.True(allocated[^1] == 0, $"bytes allocated per 100 steps, round by round: {string.Join(", ", allocated)}");
    }

    [Theory, MemberData(nameof(OptimizerKinds))]
    public void Exported_state_resumes_exactly_where_it_left_off(string kind)
    {
        var random = new Random(2);
        Tensor<double>[] NewParameters() => [Tensor.From(new[] { 0.5, -0.25, 1.5 }), Tensor.From(new[] { 2.0 })];
        var gradients = Enumerable.Range(0, 6).Select(_ => new[] { Tensor.Uniform(random, -1.0, 1.0, 3), Tensor.Uniform(random, -1.0, 1.0, 1) }).ToArray();
        void StepWith(Optimizer<double> optimizer, Tensor<double>[] parameters, Tensor<double>[] step)
        {
            for (int i = 0; i < parameters.Length; i++) parameters[i].Grad = step[i].Clone();
            optimizer.Step();
        }

        var straight = NewParameters();
        var uninterrupted = Create(kind, straight);
        foreach (var step in gradients) StepWith(uninterrupted, straight, step);

        var first = NewParameters();
        var beforeCheckpoint = Create(kind, first);
        foreach (var step in gradients[..3]) StepWith(beforeCheckpoint, first, step);
        var state = beforeCheckpoint.ExportState();
        var resumedParameters = first.Select(parameter => parameter.Clone()).ToArray();
        var resumed = Create(kind, resumedParameters);
        resumed.ImportState(state);
        foreach (var step in gradients[3..]) StepWith(resumed, resumedParameters, step);

        for (int i = 0; i < straight.Length; i++) Assert.Equal(straight[i].ToArray(), resumedParameters[i].ToArray());
        Assert.Contains("step", state.Keys);
    }

    [Fact]
    public void Adam_state_names_follow_torch()
    {
        var optimizer = new Adam<float>([Tensor.Zeros<float>(2, 2), Tensor.Zeros<float>(2)]);
        Assert.Equal(["exp_avg.0", "exp_avg.1", "exp_avg_sq.0", "exp_avg_sq.1", "step"], optimizer.ExportState().Keys.Order());
    }

    [Fact]
    public void Importing_a_state_of_the_wrong_shape_is_rejected_and_changes_nothing()
    {
        var parameter = Tensor.Zeros<double>(3);
        var optimizer = new Sgd<double>([parameter], 0.1, momentum: 0.9);
        var state = new Dictionary<string, double[]> { ["step"] = [4], ["momentum_buffer.0"] = [1, 2] };
        Assert.Throws<ArgumentException>(() => optimizer.ImportState(state));
        Assert.Equal(0, optimizer.StepCount(0));
        state["momentum_buffer.0"] = [1, 2, 3];
        state["extra"] = [1];
        Assert.Throws<ArgumentException>(() => optimizer.ImportState(state));
    }

    [Fact]
    public void Importing_a_step_count_too_large_for_a_long_is_rejected_as_bad_state_and_changes_nothing()
    {
        var optimizer = new Sgd<double>([Tensor.Zeros<double>(1), Tensor.Zeros<double>(1)], 0.1);
        var state = new Dictionary<string, double[]> { ["step"] = [3, 1e30] };

        var error = Assert.Throws<ArgumentException>(() => optimizer.ImportState(state));

        Assert.Contains("\"step\"[1]", error.Message);
        Assert.Equal(0, optimizer.StepCount(0));
    }

    [Fact]
    public void Importing_a_state_with_a_null_buffer_is_rejected_by_name()
    {
        var optimizer = new Sgd<double>([Tensor.Zeros<double>(2)], 0.1, momentum: 0.9);
        var state = new Dictionary<string, double[]> { ["step"] = [1], ["momentum_buffer.0"] = null! };

        var error = Assert.Throws<ArgumentException>(() => optimizer.ImportState(state));

        Assert.Contains("momentum_buffer.0", error.Message);
    }

    [Fact]
    public void A_null_parameter_is_refused_when_the_optimizer_is_built_naming_its_position()
    {
        var error = Assert.Throws<ArgumentException>(() => new Adam<double>([Tensor.Zeros<double>(2), null!]));

        Assert.Contains("parameter 1", error.Message);
    }

    [Fact]
    public void A_tensor_listed_twice_is_refused_naming_both_positions()
    {
        var weight = Tensor.Ones<float>(1).RequireGrad();

        var error = Assert.Throws<ArgumentException>(() => new Sgd<float>([weight, Tensor.Zeros<float>(1), weight], 0.5));

        Assert.Equal("parameters", error.ParamName);
        Assert.StartsWith("parameter 2 of 3 is the same tensor as parameter 0", error.Message);
    }
}
