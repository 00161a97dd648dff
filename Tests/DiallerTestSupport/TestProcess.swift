import CTestProcess

/// True once the test process's load-time settings are in (`Tests/CTestProcess`); referring to it
/// keeps that object, and its constructor, in the linked test binary.
public let testProcessSettingsLoaded = dialler_test_process_settings_loaded() == 1
