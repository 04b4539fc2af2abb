using ScottPlot;
using SkiaSharp;

namespace Backprop.Cli.Training;

/// <summary>
/// The font of `--plot`: a DejaVu Sans subset embedded in the executable (see Fonts/LICENSE.txt).
/// </summary>
/// <remarks>NOTE: SkiaSharp's fontconfig-free build finds only the font files in /usr/share/fonts; on a bare
/// machine there are none and every label would be blank. Using our own font also makes the image the same on
/// every machine.</remarks>
internal sealed class PlotFont : IFontResolver
{
    public const string Name = "Backprop DejaVu Sans";
    private static readonly Lazy<byte[]> FontData = new(ReadResource);
    private static readonly Lock RegistrationLock = new();
    private static bool registered;

    /// <summary>Puts the resolver in front of ScottPlot's system font lookup, once per process.</summary>
    public static void Register()
    {
        lock (RegistrationLock)
        {
            if (registered) return;
            Fonts.FontResolvers.Insert(0, new PlotFont());
            registered = true;
        }
    }

    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) => Create(fontName);

    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) => Create(fontName);

    // Only the regular face ships; bold text (the title) is drawn in it too.
    private static SKTypeface? Create(string fontName) =>
        fontName == Name ? SKTypeface.FromData(SKData.CreateCopy(FontData.Value)) : null;

    private static byte[] ReadResource()
    {
        using var stream = typeof(PlotFont).Assembly.GetManifestResourceStream("Backprop.Cli.PlotFont.ttf")
            ?? throw new InvalidOperationException("the embedded plot font is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
