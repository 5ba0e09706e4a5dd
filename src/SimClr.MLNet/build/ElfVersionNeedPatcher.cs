// Written for netstandard2.0 (MSBuild's inline-task compiler). One implementation, compiled twice: by MSBuild's
// RoslynCodeTaskFactory as the WeakenLibTorchSharpVersionNeeds task (see SimClr.MLNet.targets), and into the
// library with SIMCLR_MLNET_LIBRARY defined, which leaves out the MSBuild task (the library references no MSBuild
// packages) and keeps the patcher for the run-time loader (Runtime/LibTorchSharpLoader.cs).
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using SimClr.MLNet.Runtime;

#if !SIMCLR_MLNET_LIBRARY
/// <summary>
/// Marks libLibTorchSharp.so's need for GLIBCXX_3.4.32 as weak in the build output, so the library loads on
/// Debian 12 and Ubuntu 22.04 (libstdc++ 3.4.30). The only symbol bound to that version,
/// _ZSt21ios_base_library_initv, is never called by TorchSharp. No-op off Linux and where the host's
/// libstdc++ already provides every version in <see cref="ElfVersionNeedPatcher.WeakenableVersions"/>.
/// </summary>
public sealed class WeakenLibTorchSharpVersionNeeds : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || !System.IO.Directory.Exists(Directory))
            return true;
        var missing = ElfVersionNeedPatcher.VersionsMissingOnHost();
        if (missing.Count == 0)
            return true;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            try
            {
                var changed = ElfVersionNeedPatcher.WeakenVersionNeeds(file, missing);
                if (changed.Count > 0)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        $"SimClr.MLNet: marked {string.Join(", ", changed)} weak in {file}");
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogWarning($"SimClr.MLNet: could not patch {file}: {e.Message}. TorchSharp may fail to load on this host.");
            }
        }
        return !Log.HasLoggedErrors;
    }
}
#endif

namespace SimClr.MLNet.Runtime
{
    /// <summary>
    /// Reads the needed libraries (DT_NEEDED) and edits the version-needs table (.gnu.version_r) of a 64-bit
    /// little-endian ELF file.
    /// </summary>
    internal static class ElfVersionNeedPatcher
    {
        /// <summary>Versions whose symbols TorchSharp 0.107.0 binds but never calls.</summary>
        public static readonly string[] WeakenableVersions = { "GLIBCXX_3.4.32" };

        const uint ShtDynamic = 6;
        const uint ShtGnuVerneed = 0x6ffffffe;
        const ulong DtNeeded = 1;
        const ushort VerFlagWeak = 0x2;

        static readonly string[] LibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };

        /// <summary>
        /// The <see cref="WeakenableVersions"/> that the host's libstdc++ lacks. When no libstdc++ is found, all of
        /// them: marking a version weak is harmless where it exists.
        /// </summary>
        public static List<string> VersionsMissingOnHost()
        {
            foreach (var path in LibStdCxxCandidates)
            {
                if (!File.Exists(path))
                    continue;
                var bytes = File.ReadAllBytes(path);
                var missing = new List<string>();
                foreach (var version in WeakenableVersions)
                    if (IndexOf(bytes, Encoding.ASCII.GetBytes(version + "\0")) < 0)
                        missing.Add(version);
                return missing;
            }
            return new List<string>(WeakenableVersions);
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on every version need in <paramref name="path"/> whose name is in
        /// <paramref name="versions"/>, in place. Returns the names it changed; already-weak entries are left alone.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file.</exception>
        public static List<string> WeakenVersionNeeds(string path, ICollection<string> versions)
        {
            var elf = File.ReadAllBytes(path);
            var changed = WeakenVersionNeeds(elf, versions, path);
            if (changed.Count > 0)
            {
                // Atomic replace: a half-written .so would break every later load.
                var temp = path + ".simclr-tmp";
                File.WriteAllBytes(temp, elf);
                File.Replace(temp, path, null);
            }
            return changed;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on every version need in the image <paramref name="elf"/> whose name is in
        /// <paramref name="versions"/>. Returns the names it changed; already-weak entries are left alone.
        /// </summary>
        /// <exception cref="InvalidDataException">The image is not a 64-bit little-endian ELF file.</exception>
        public static List<string> WeakenVersionNeeds(byte[] elf, ICollection<string> versions, string nameForErrors)
        {
            var changed = new List<string>();
            foreach (var need in ReadVersionNeeds(elf, nameForErrors))
            {
                if (!versions.Contains(need.Name) || (need.Flags & VerFlagWeak) != 0)
                    continue;
                WriteUInt16(elf, need.FlagsOffset, (ushort)(need.Flags | VerFlagWeak));
                changed.Add(need.Name);
            }
            return changed;
        }

        /// <summary>One entry (Vernaux) of the version-needs table.</summary>
        public readonly struct VersionNeed
        {
            public VersionNeed(string file, string name, ushort flags, int flagsOffset)
            {
                File = file; Name = name; Flags = flags; FlagsOffset = flagsOffset;
            }

            public string File { get; }
            public string Name { get; }
            public ushort Flags { get; }
            public int FlagsOffset { get; }
        }

        /// <summary>Lists the version needs of an ELF image.</summary>
        public static List<VersionNeed> ReadVersionNeeds(byte[] elf, string nameForErrors)
        {
            var result = new List<VersionNeed>();
            foreach (var section in Sections(elf, ShtGnuVerneed, nameForErrors))
            {
                long need = section.Offset;
                for (int n = 0; n < section.Info; n++)
                {
                    CheckRange(elf, need, 16, nameForErrors);
                    int auxCount = ReadUInt16(elf, need + 2);
                    string file = ReadString(elf, section.Strings + ReadUInt32(elf, need + 4));
                    long aux = need + ReadUInt32(elf, need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        CheckRange(elf, aux, 16, nameForErrors);
                        result.Add(new VersionNeed(file, ReadString(elf, section.Strings + ReadUInt32(elf, aux + 8)),
                            ReadUInt16(elf, aux + 4), (int)(aux + 4)));
                        aux += ReadUInt32(elf, aux + 12);
                    }
                    need += ReadUInt32(elf, need + 12);
                }
            }
            return result;
        }

        /// <summary>The libraries an ELF image names as needed (DT_NEEDED), in order, e.g. "libtorch.so".</summary>
        public static List<string> ReadNeededLibraries(byte[] elf, string nameForErrors)
        {
            var result = new List<string>();
            foreach (var section in Sections(elf, ShtDynamic, nameForErrors))
            {
                for (long entry = section.Offset; entry + 16 <= section.Offset + section.Size; entry += 16)
                {
                    CheckRange(elf, entry, 16, nameForErrors);
                    ulong tag = ReadUInt64(elf, entry);
                    if (tag == 0)
                        break;
                    if (tag == DtNeeded)
                        result.Add(ReadString(elf, section.Strings + (long)ReadUInt64(elf, entry + 8)));
                }
            }
            return result;
        }

        /// <summary>A section header's offset, size, sh_info, and the offset of its linked string table.</summary>
        struct Section
        {
            public long Offset;
            public long Size;
            public int Info;
            public long Strings;
        }

        static List<Section> Sections(byte[] elf, uint type, string nameForErrors)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{nameForErrors}: not an ELF file.");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"{nameForErrors}: only 64-bit little-endian ELF files are supported.");

            long sectionTable = (long)ReadUInt64(elf, 0x28);
            int sectionSize = ReadUInt16(elf, 0x3A);
            int sectionCount = ReadUInt16(elf, 0x3C);
            var result = new List<Section>();
            for (int s = 0; s < sectionCount; s++)
            {
                long header = sectionTable + (long)s * sectionSize;
                CheckRange(elf, header, 64, nameForErrors);
                if (ReadUInt32(elf, header + 4) != type)
                    continue;
                long link = sectionTable + (long)ReadUInt32(elf, header + 0x28) * sectionSize;
                CheckRange(elf, link, 64, nameForErrors);
                result.Add(new Section
                {
                    Offset = (long)ReadUInt64(elf, header + 0x18),
                    Size = (long)ReadUInt64(elf, header + 0x20),
                    Info = (int)ReadUInt32(elf, header + 0x2C),
                    Strings = (long)ReadUInt64(elf, link + 0x18),
                });
            }
            return result;
        }

        static void CheckRange(byte[] elf, long offset, int length, string name)
        {
            if (offset < 0 || offset + length > elf.Length)
                throw new InvalidDataException($"{name}: truncated or malformed ELF file (offset {offset}).");
        }

        static ushort ReadUInt16(byte[] b, long o) => (ushort)(b[o] | b[o + 1] << 8);
        static uint ReadUInt32(byte[] b, long o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
        static ulong ReadUInt64(byte[] b, long o) => ReadUInt32(b, o) | (ulong)ReadUInt32(b, o + 4) << 32;
        static void WriteUInt16(byte[] b, long o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }

        static string ReadString(byte[] b, long o)
        {
            long end = o;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }

        // MSBuild compiles this file against netstandard2.0, which has no span search.
        static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }
}
