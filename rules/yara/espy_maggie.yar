// espy's own rules for the Maggie MSSQL ESP backdoor, written from the indicators in
// ../../../shared/reference/mssql-artifacts.md (DCSO CyTec, "Tracking down Maggie", 2022).
import "pe"

rule espy_maggie_esp_backdoor : maggie backdoor esp
{
  meta:
    description = "Maggie-like ESP backdoor: an ESP DLL (opends60.dll import or srv_ API names) carrying at least 6 of Maggie's command and status strings"
    reference = "https://medium.com/@DCSO_CyTec/mssql-meet-maggie-898773df3b01"
    author = "espy"
    date = "2026-11-26"
    severity = "malicious"
  strings:
    $c1 = "Account Owner Not Found For The SID" ascii wide
    $c2 = "Call SO_UPDATE_ACCEPT_CONTEXT To Get IP" ascii wide
    $c3 = "Socks5 Stopped Failure" ascii wide
    $c4 = "It Has Been Hooked" ascii wide
    $c5 = "AllowedIP IP Port" ascii wide
    $c6 = "Wait 5 To 10 Seconds For TS Taking Effect" ascii wide
    $c7 = "HostList UserList PassList" ascii wide
    $c8 = "WinSockScan" ascii wide
    $c9 = "ResetClientData" ascii wide
    $c10 = "ViewClientData" ascii wide
    $c11 = "ElevateTS" ascii wide
    $c12 = "\\Binn\\sqlservr.exe" ascii wide nocase
    $ods = "opends60.dll" ascii wide nocase
  condition:
    uint16(0) == 0x5A4D and
    ($ods or pe.imports("opends60.dll")) and
    6 of ($c*)
}

rule espy_maggie_export : maggie esp
{
  meta:
    description = "ESP DLL exporting a procedure named maggie (the backdoor's own procedure name)"
    reference = "https://medium.com/@DCSO_CyTec/mssql-meet-maggie-898773df3b01"
    author = "espy"
    date = "2026-11-26"
    severity = "malicious"
  condition:
    uint16(0) == 0x5A4D and
    pe.imports("opends60.dll") and
    pe.exports("maggie")
}
