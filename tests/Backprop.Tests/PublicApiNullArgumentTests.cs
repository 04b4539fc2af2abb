using System.Reflection;
using Backprop.Data;
using Backprop.Nn;
using Backprop.Optim;
using Backprop.Training;

namespace Backprop.Tests;

/// <summary>
/// Every public method and constructor of the library, called with null for one parameter that its signature says
/// must not be null (and a valid value for every other), throws ArgumentNullException naming that parameter: not a
/// NullReferenceException from somewhere inside, not an error about another argument.
/// </summary>
public sealed class PublicApiNullArgumentTests
{
    // NOTE: explain is outside this sweep (its trace records need samples of their own; its entry points have a test
    // below); exceptions take whatever text they are given, and positional records hold their values as given, as C#
    // records do.
    private static readonly string[] NamespacesLeftOut = ["Backprop.Explain"];

    [Fact]
    public void Every_non_nullable_reference_parameter_refuses_null_with_an_ArgumentNullException_naming_it()
    {
        var nullability = new NullabilityInfoContext();
        var offenders = new List<string>();
        int probed = 0;
        foreach (var member in PublicMembers())
        {
            var parameters = member.GetParameters();
            for (int target = 0; target < parameters.Length; target++)
            {
                if (parameters[target].ParameterType.IsValueType || nullability.Create(parameters[target]).WriteState != NullabilityState.NotNull)
                    continue;
                if (Arguments(parameters, target) is not { } arguments) continue;
                object? instance = member.IsStatic || member is ConstructorInfo ? null : Sample(member.DeclaringType!);
                if (!member.IsStatic && member is MethodInfo && instance is null) continue;
                probed++;
                string call = $"{Name(member.DeclaringType!)}.{member.Name}(… {parameters[target].Name}: null …)";
                var thrown = Invoke(member, instance, arguments);
                if (thrown is not ArgumentNullException { } refusal)
                    offenders.Add($"{call} {(thrown is null ? "accepted it" : $"threw {thrown.GetType().Name}: {thrown.Message}")}");
                else if (refusal.ParamName != parameters[target].Name)
                    offenders.Add($"{call} named parameter '{refusal.ParamName}'");
            }
        }

        Assert.True(probed > 100, $"only {probed} calls could be probed");
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    public static TheoryData<string, Action> ExplainEntryPoints => new()
    {
        { "model", () => Backprop.Explain.ExplainEngine.Run(null!) },
        { "model", () => Backprop.Explain.ExplainEngine.Steps(null!, 1) },
        { "model", () => Backprop.Explain.ExplainEngine.Step(null!) },
        { "model", () => Backprop.Explain.ModelGradientCheck.Check(null!) },
        { "trace", () => Backprop.Explain.TextRenderer.Render(null!) },
        { "trace", () => Backprop.Explain.MarkdownRenderer.Render(null!) },
        { "trace", () => Backprop.Explain.JsonRenderer.Render(null!) },
        { "trace", () => Backprop.Explain.DotRenderer.Render(null!) },
        { "output", () => Backprop.Explain.TextRenderer.Write(null!, [], 1) },
        { "steps", () => Backprop.Explain.MarkdownRenderer.Write(new StringWriter(), null!, 1) },
        { "steps", () => Backprop.Explain.JsonRenderer.Write(new StringWriter(), null!, 1) },
        { "output", () => Backprop.Explain.DotRenderer.Write(null!, [], 1) },
    };

    [Theory, MemberData(nameof(ExplainEntryPoints))]
    public void Explains_entry_points_refuse_null_naming_the_parameter(string parameter, Action call) =>
        Assert.Equal(parameter, Assert.Throws<ArgumentNullException>(call).ParamName);

    private static IEnumerable<MethodBase> PublicMembers()
    {
        foreach (var type in typeof(Tensor).Assembly.GetExportedTypes())
        {
            if (NamespacesLeftOut.Any(left => type.Namespace!.StartsWith(left, StringComparison.Ordinal))) continue;
            if (typeof(Exception).IsAssignableFrom(type) || typeof(Delegate).IsAssignableFrom(type)) continue;
            bool isRecord = type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null;
            var closed = type.IsGenericTypeDefinition ? type.MakeGenericType(typeof(float)) : type;
            if (!isRecord)
                foreach (var constructor in closed.GetConstructors()) yield return constructor;
            var flags = BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
            foreach (var method in closed.GetMethods(flags))
            {
                if (method.IsSpecialName && !method.Name.StartsWith("op_", StringComparison.Ordinal)) continue;
                if (method.Name is "Equals" or "Deconstruct" or "<Clone>$") continue;
                yield return method.IsGenericMethodDefinition
                    ? method.MakeGenericMethod(method.GetGenericArguments().Select(_ => typeof(float)).ToArray())
                    : method;
            }
        }
    }

    /// <summary>Null at <paramref name="target"/>, a valid sample elsewhere; null when some parameter has no sample.</summary>
    private static object?[]? Arguments(ParameterInfo[] parameters, int target)
    {
        var arguments = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            if (i == target) continue;
            var type = parameters[i].ParameterType;
            if (type.IsByRef || type.IsByRefLike) return null;
            arguments[i] = parameters[i].HasDefaultValue ? parameters[i].DefaultValue : Sample(type);
            if (arguments[i] is null && !parameters[i].HasDefaultValue) return null;
        }
        return parameters[target].ParameterType.IsByRef ? null : arguments;
    }

    private static Exception? Invoke(MethodBase member, object? instance, object?[] arguments)
    {
        try
        {
            if (member is ConstructorInfo constructor) constructor.Invoke(arguments);
            else member.Invoke(instance, arguments);
            return null;
        }
        catch (TargetInvocationException error)
        {
            return error.InnerException;
        }
    }

    /// <summary>A small valid value of each type the public API takes.</summary>
    private static object? Sample(Type type)
    {
        var random = new Random(1);
        var network = new Sequential<float>(new Linear<float>(2, 2, random));
        var data = DataSet.Classification([0f, 1, 1, 0], 2, ["x", "y"], [2], [0, 1], ["a", "b"]);
        object? sample = type switch
        {
            _ when type == typeof(string) => Path.Combine(Path.GetTempPath(), $"backprop-null-probe-{Guid.NewGuid():N}"),
            _ when type == typeof(int) => 2,
            _ when type == typeof(double) => 0.5,
            _ when type == typeof(float) => 0.5f,
            _ when type == typeof(int[]) => new[] { 2 },
            _ when type == typeof(float[]) => new[] { 0.5f, 0.5f },
            _ when type == typeof(double[]) => new[] { 0.5, 0.5 },
            _ when type == typeof(string[]) => new[] { "a", "b" },
            _ when type == typeof(Random) => random,
            _ when type == typeof(Tensor<float>) => Tensor.Full(0.5f, 2, 2),
            _ when type == typeof(Tensor<double>) => Tensor.Full(0.5, 2, 2),
            _ when type == typeof(Sequential<float>) || type == typeof(Module<float>) => network,
            _ when type == typeof(DataSet) => data,
            _ when type == typeof(TrainedModel) => new TrainedModel(network, TaskKind.Classification, ["x", "y"], [2], ["a", "b"], null),
            _ when type == typeof(Optimizer<float>) || type == typeof(Sgd<float>) => new Sgd<float>(network.Parameters(), 0.1),
            _ when type == typeof(LearningRateSchedule) => new StepLr(1),
            _ when type == typeof(ITrainingCallback) => new EarlyStopping(1),
            _ when type == typeof(Func<Tensor<double>>) => (Func<Tensor<double>>)(() => Tensor.Scalar(0.0)),
            _ when type == typeof(Func<double, double>) => (Func<double, double>)(x => x),
            _ when type == typeof(Func<string, int, double>) => (Func<string, int, double>)((_, _) => 0.1),
            _ when type == typeof(Action<Stream>) => (Action<Stream>)(_ => { }),
            _ when type == typeof(TextReader) => new StringReader("x,y\n1,2\n"),
            _ when type == typeof(TextWriter) => new StringWriter(),
            _ => null,
        };
        if (sample is not null || type.IsAbstract || type.IsInterface) return sample;
        if (type.IsValueType) return Activator.CreateInstance(type);
        if (type.IsArray) return Array.CreateInstance(type.GetElementType()!, 2);
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var open
            && (open == typeof(IEnumerable<>) || open == typeof(IReadOnlyList<>)))
            return Array.CreateInstance(type.GetGenericArguments()[0], 0);
        // Otherwise the public constructor with the fewest parameters, from samples: options records, Standardizer, ….
        foreach (var constructor in type.GetConstructors().OrderBy(constructor => constructor.GetParameters().Length))
        {
            var parameters = constructor.GetParameters();
            if (parameters.Any(parameter => parameter.ParameterType == type)) continue;
            var arguments = parameters.Select(parameter => parameter.HasDefaultValue ? parameter.DefaultValue : Sample(parameter.ParameterType)).ToArray();
            if (Invoke(constructor, null, arguments) is null) return constructor.Invoke(arguments);
        }
        return null;
    }

    private static string Name(Type type) => type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] : type.Name;
}
