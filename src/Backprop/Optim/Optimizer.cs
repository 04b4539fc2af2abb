using System.Numerics;

namespace Backprop.Optim;

/// <summary>
/// Updates a fixed list of parameters from their gradients. Each subclass is one flat loop per parameter
/// (<see cref="Update"/>) over preallocated buffers, so <see cref="Step"/> allocates nothing.
/// Hyperparameters are doubles, as in PyTorch, and are rounded to <typeparamref name="T"/> once per step.
/// </summary>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] parameters;

    // NOTE: counted per parameter, like torch's state["step"]: a parameter without a gradient is skipped
    // and its count (and hence its Adam bias correction, its momentum start) does not advance.
    private readonly long[] stepCounts;

    /// <summary>Takes a fixed, non-empty list of parameters; the rate and decay must be finite and ≥ 0.</summary>
    protected Optimizer(IEnumerable<Tensor<T>> parameters, double learningRate, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = parameters.ToArray();
        if (this.parameters.Length == 0) throw new ArgumentException("the optimizer got an empty parameter list", nameof(parameters));
        if (Array.IndexOf(this.parameters, null) is var missing and >= 0)
            throw new ArgumentException($"parameter {missing} of {this.parameters.Length} is null", nameof(parameters));
        // NOTE: a tensor listed twice was updated twice per step, with two sets of momentum (PyTorch warns of it).
        var seen = new Dictionary<Tensor<T>, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < this.parameters.Length; i++)
            if (!seen.TryAdd(this.parameters[i], i))
                throw new ArgumentException($"parameter {i} of {this.parameters.Length} is the same tensor as parameter {seen[this.parameters[i]]}; " +
                    "each tensor must be listed once, or it is updated once per listing", nameof(parameters));
        if (!double.IsFinite(learningRate) || learningRate < 0) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be finite and ≥ 0");
        if (!double.IsFinite(weightDecay) || weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "must be finite and ≥ 0");
        stepCounts = new long[this.parameters.Length];
        LearningRate = InitialLearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The tensors it updates, in the order given.</summary>
    public IReadOnlyList<Tensor<T>> Parameters => parameters;

    /// <summary>The learning rate of the next step; schedules set it (see <see cref="LearningRateSchedule"/>). Finite and ≥ 0.</summary>
    // NOTE: checked as the constructor checks it: a NaN rate (a custom schedule's 0 / 0) made every weight NaN in one
    // step, and a negative one climbed the loss, without a word.
    public double LearningRate
    {
        get => currentLearningRate;
        set => currentLearningRate = double.IsFinite(value) && value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "must be finite and ≥ 0");
    }

    private double currentLearningRate;

    /// <summary>The learning rate given at construction (torch's <c>initial_lr</c>), the base of every schedule.</summary>
    public double InitialLearningRate { get; }

    /// <summary>The L2 penalty (or, for AdamW, the decoupled decay) per step.</summary>
    public double WeightDecay { get; }

    /// <summary>How many steps updated parameter <paramref name="index"/> (it is skipped while its gradient is null).</summary>
    public long StepCount(int index) => stepCounts[index];

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    public void Step()
    {
        for (int index = 0; index < parameters.Length; index++)
        {
            var parameter = parameters[index];
            if (parameter.Grad is not { } grad) continue;
            if (grad.Length != parameter.Length)
                throw new InvalidOperationException($"parameter {index} has {parameter.Length} elements but its gradient has {grad.Length}");
            Update(index, ++stepCounts[index], parameter.Data, grad.Data);
        }
    }

    /// <summary>One update of parameter <paramref name="index"/>; <paramref name="step"/> counts from 1.</summary>
    protected abstract void Update(int index, long step, Span<T> parameter, ReadOnlySpan<T> gradient);

    /// <summary>Zeroes every gradient, keeping the buffers.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in parameters) parameter.ZeroGrad();
    }

    /// <summary>The per-parameter buffers a subclass keeps, by name (e.g. "exp_avg"): one array per parameter.</summary>
    protected virtual IEnumerable<(string Name, T[][] Buffers)> StateBuffers() => [];

    /// <summary>
    /// Everything the optimizer remembers between steps, as named arrays for a checkpoint:
    /// <c>"step"</c> (one count per parameter) and <c>"&lt;buffer&gt;.&lt;parameter index&gt;"</c>,
    /// e.g. <c>"exp_avg.0"</c>. The arrays are copies. The learning rate is not included: schedules recompute it.
    /// </summary>
    public IReadOnlyDictionary<string, T[]> ExportState()
    {
        // NOTE: the counts travel as T; float32 holds them exactly up to 2^24 steps.
        var state = new Dictionary<string, T[]> { ["step"] = Array.ConvertAll(stepCounts, count => T.CreateChecked(count)) };
        foreach (var (name, buffers) in StateBuffers())
            for (int index = 0; index < buffers.Length; index++)
                state[$"{name}.{index}"] = (T[])buffers[index].Clone();
        return state;
    }

    /// <summary>Restores what <see cref="ExportState"/> returned; every name must be present with its exact length.</summary>
    public void ImportState(IReadOnlyDictionary<string, T[]> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var expected = new HashSet<string> { "step" };
        var steps = Required(state, "step", stepCounts.Length);
        foreach (var (name, buffers) in StateBuffers())
            for (int index = 0; index < buffers.Length; index++)
            {
                expected.Add($"{name}.{index}");
                Required(state, $"{name}.{index}", buffers[index].Length);
            }
        if (state.Keys.FirstOrDefault(key => !expected.Contains(key)) is { } unknown)
            throw new ArgumentException($"optimizer state has an unknown entry \"{unknown}\"", nameof(state));

        // validated in full above, so a bad state changes nothing
        for (int index = 0; index < stepCounts.Length; index++)
        {
            // NOTE: 2⁶³ and beyond do not fit the long count; converting them threw OverflowException half-way through the import.
            if (!T.IsInteger(steps[index]) || steps[index] < T.Zero || double.CreateChecked(steps[index]) >= TwoToThe63)
                throw new ArgumentException($"optimizer state \"step\"[{index}] = {steps[index]} is not a step count", nameof(state));
        }
        for (int index = 0; index < stepCounts.Length; index++) stepCounts[index] = long.CreateChecked(steps[index]);
        foreach (var (name, buffers) in StateBuffers())
            for (int index = 0; index < buffers.Length; index++)
                state[$"{name}.{index}"].CopyTo(buffers[index], 0);
    }

    private const double TwoToThe63 = 9223372036854775808.0; // the first whole number a long cannot hold

    private static T[] Required(IReadOnlyDictionary<string, T[]> state, string name, int length)
    {
        if (!state.TryGetValue(name, out var values) || values is null)
            throw new ArgumentException($"optimizer state lacks \"{name}\"", nameof(state));
        if (values.Length != length)
            throw new ArgumentException($"optimizer state \"{name}\" has {values.Length} values, expected {length}", nameof(state));
        return values;
    }

    /// <summary>One zeroed buffer per parameter, shaped (flat) like it.</summary>
    protected T[][] AllocateBuffers() => Array.ConvertAll(parameters, parameter => new T[parameter.Length]);

    /// <summary>A double hyperparameter rounded to the element type.</summary>
    protected static T Cast(double value) => T.CreateTruncating(value);
}
