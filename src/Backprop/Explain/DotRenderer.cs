namespace Backprop.Explain;
public static class DotRenderer { public static string Render(ExplainTrace trace) => ""; }
