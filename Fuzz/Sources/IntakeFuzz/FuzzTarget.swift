import DiallerStore
import LeadIntake

/// The fuzzer's test function: every input is a request body. Nothing may crash, and every answer the
/// server would give (an outcome, or the errors' JSON) must itself be valid JSON.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let numbers = PhoneNumbers(defaultRegion: "GB")
    let object: JSONObject
    do {
        object = try JSONParser.parseObject(bytes)
    } catch {
        var errors = ValidationErrors()
        errors.add("body", error.description)
        requireJSON(errors.json)
        return 0
    }
    switch LeadRequest.validate(
        object, rawBody: String(decoding: bytes, as: UTF8.self), numbers: numbers,
        now: fuzzClock)
    {
    case .success(let request):
        if let data = request.lead.data { requireJSON(data) }
        precondition(request.lead.mobile.hasPrefix("+"), "a valid mobile is E.164")
    case .failure(let errors):
        precondition(!errors.isEmpty)
        requireJSON(errors.json)
    }
    if case .failure(let errors) = CancelRequest.validate(object, numbers: numbers) { requireJSON(errors.json) }
    return 0
}

/// A fixed clock (2026-11-30T00:53:20Z), so that an input's answer never depends on when it ran.
private let fuzzClock = Timestamp(milliseconds: 1_796_000_000_000)

/// Crashes (so libFuzzer keeps the input) when `text` is not a JSON object.
private func requireJSON(_ text: String) {
    guard case .object? = try? JSONParser.parse(Array(text.utf8)) else {
        preconditionFailure("not a JSON object: \(text)")
    }
}

/// libFuzzer's driver, for a program that brings its own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to this symbol; handing over to libFuzzer's driver here
/// keeps libFuzzer's own `main` out of the link.
@_cdecl("IntakeFuzz_main")
func intakeFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return withUnsafeMutablePointer(to: &arguments) { runFuzzerDriver(&count, $0, fuzzOneInput) }
}
