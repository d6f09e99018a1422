// swift-tools-version: 6.0
import PackageDescription

/// OpenBLAS's OpenMP build lives beside the default pthread build; the run-time path makes the loader pick it,
/// so OpenBLAS and oneDNN share libgomp's single thread pool.
let openBLASOpenMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp"

let package = Package(
    name: "Volt",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VoltTensor", targets: ["VoltTensor"]),
        .library(name: "VoltNN", targets: ["VoltNN"]),
        .library(name: "VoltData", targets: ["VoltData"]),
        .library(name: "VoltHDF5", targets: ["VoltHDF5"]),
        .library(name: "VoltInterop", targets: ["VoltInterop"]),
        .library(name: "Volt", targets: ["Volt"]),
        .library(name: "GenSLM", targets: ["GenSLM"]),
        .library(name: "LLaMA", targets: ["LLaMA"]),
        .library(name: "VoltSearch", targets: ["VoltSearch"]),
        .library(name: "VoltText", targets: ["VoltText"]),
        .library(name: "TextLM", targets: ["TextLM"]),
        .library(name: "VoltCLI", targets: ["VoltCLI"]),
        .library(name: "VoltApp", targets: ["VoltApp"]),
        .executable(name: "volt", targets: ["volt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev", "libopenblas-openmp-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CVoltZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CVoltSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "CVoltKernels",
            dependencies: ["CDNNL"],
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast", "-fno-math-errno"])],
            linkerSettings: [.linkedLibrary("gomp"), .linkedLibrary("dnnl"), .linkedLibrary("m")]
        ),
        // Process-level services in C: preemption signal handlers and SHA-256.
        .target(name: "CVoltSystem"),
        .target(
            name: "VoltTensor",
            dependencies: ["CBLAS", "CDNNL", "CVoltKernels"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", openBLASOpenMP])]
        ),
        .target(name: "VoltNN", dependencies: ["VoltTensor", "CVoltKernels"]),
        .target(name: "VoltData", dependencies: ["VoltTensor"]),
        .target(name: "VoltHDF5", dependencies: ["CHDF5"]),
        .target(name: "VoltText", dependencies: ["VoltData", "VoltInterop", "VoltTensor"]),
        // torch.save and safetensors files, transformers' config.json: model-agnostic, for every model family.
        // PEFT's adapter folders too, which is why it sees VoltNN's LoRA configuration.
        .target(name: "VoltInterop", dependencies: ["VoltNN", "VoltTensor", "CVoltZlib",
                                                    .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "Volt", dependencies: ["VoltData", "VoltNN", "VoltTensor", "VoltHDF5", "VoltInterop", "CMPI", "CVoltSystem",
                                             .product(name: "Yams", package: "Yams")]),
        .target(name: "VoltSearch", dependencies: ["Volt", "VoltInterop", "CVoltSQLite"]),
        .target(name: "GenSLM", dependencies: ["Volt", "VoltData", "VoltHDF5", "VoltInterop", "VoltNN", "VoltTensor",
                                               "CVoltZlib", .product(name: "Yams", package: "Yams")]),
        // The library behind the `volt` command: its configuration layout, fine-tuning runs and `volt tune`'s trials.
        .target(name: "VoltApp", dependencies: ["GenSLM", "TextLM", "Volt", "VoltData", "VoltInterop", "VoltNN", "VoltTensor", "VoltText",
                                                "VoltSearch"]),
        // Text fine-tuning of LLaMA/Mixtral models: the TrainingModule, its data module and the ROUGE metric.
        .target(name: "TextLM", dependencies: ["LLaMA", "Volt", "VoltData", "VoltNN", "VoltTensor", "VoltText"]),
        .target(name: "LLaMA", dependencies: ["VoltInterop", "VoltNN", "VoltTensor"]),
        .target(name: "VoltCLI", dependencies: ["Volt", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "VoltBenchmarks", dependencies: ["GenSLM", "LLaMA", "Volt", "VoltData", "VoltNN", "VoltTensor", "VoltText"]),
        .executableTarget(
            name: "volt",
            dependencies: ["GenSLM", "TextLM", "Volt", "VoltApp", "VoltBenchmarks", "VoltCLI", "VoltSearch", "VoltTensor",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The `volt new` templates, built with the package so that CI runs them (scripts/check_templates.sh).
        .executableTarget(name: "TemplateMinimal", dependencies: ["Volt", "VoltCLI", "VoltData", "VoltNN", "VoltTensor"],
                          path: "Templates/minimal/Sources/__PROJECT_NAME__"),
        .executableTarget(name: "TemplateGenSLMFinetune", dependencies: ["GenSLM", "Volt", "VoltCLI", "VoltNN", "VoltTensor"],
                          path: "Templates/genslm-finetune/Sources/__PROJECT_NAME__"),
        .executableTarget(name: "TemplateTextSummarization", dependencies: ["Volt", "VoltApp", "VoltCLI", "TextLM"],
                          path: "Templates/text-summarization/Sources/__PROJECT_NAME__"),
        .testTarget(name: "VoltTensorTests", dependencies: ["VoltTensor"]),
        .testTarget(name: "VoltNNTests", dependencies: ["VoltNN"]),
        .testTarget(name: "VoltDataTests", dependencies: ["VoltData", "VoltTensor"]),
        .testTarget(name: "VoltTextTests", dependencies: ["VoltText", "VoltData", "VoltTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "VoltHDF5Tests", dependencies: ["VoltHDF5"], exclude: ["Fixtures"]),
        .testTarget(name: "VoltInteropTests", dependencies: ["VoltInterop", "VoltNN", "VoltTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "VoltTests", dependencies: ["Volt", "VoltData", "VoltHDF5", "VoltNN", "VoltTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "VoltSearchTests", dependencies: ["VoltSearch", "VoltApp", "GenSLM", "Volt"], exclude: ["Fixtures"]),
        .testTarget(name: "GenSLMTests", dependencies: ["GenSLM", "VoltApp", "Volt", "VoltData", "VoltHDF5", "VoltInterop", "VoltNN", "VoltTensor",
                                                    .product(name: "Yams", package: "Yams")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LLaMATests", dependencies: ["LLaMA", "VoltInterop", "VoltNN", "VoltTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "TextLMTests", dependencies: ["TextLM", "VoltApp", "LLaMA", "Volt", "VoltData", "VoltInterop", "VoltNN", "VoltTensor",
                                                     "VoltText"]),
    ]
)

// Tests of the command line and the benchmarks, and what several test targets share (the h5py interpreter search).
package.targets += [
    .target(name: "VoltTestSupport", path: "Tests/VoltTestSupport"),
    .testTarget(name: "VoltCLITests", dependencies: ["VoltCLI", "Volt", "VoltData", "VoltNN", "VoltTensor",
                                                     .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    .testTarget(name: "VoltBenchmarksTests", dependencies: ["VoltBenchmarks", "Volt", "LLaMA"]),
]
for target in package.targets where ["VoltTests", "GenSLMTests"].contains(target.name) {
    target.dependencies.append("VoltTestSupport")
}
