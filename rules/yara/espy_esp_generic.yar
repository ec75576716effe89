// espy's generic traits of Extended Stored Procedure (ESP) backdoors, written from the facts
// in ../../../shared/reference/mssql-artifacts.md: an ESP DLL imports opends60.dll; every
// Microsoft ESP exports __GetXpVersion (SQL Server logs event 8131 for one that does not);
// Microsoft's ESPs do not open network sockets or start shells.
import "pe"

rule espy_esp_without_getxpversion : esp handmade
{
  meta:
    description = "ESP DLL (imports opends60.dll) that does not export __GetXpVersion: hand-made, not a Microsoft ESP"
    reference = "https://learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-errors (event 8131)"
    author = "espy"
    date = "2026-11-26"
    severity = "suspicious"
  condition:
    uint16(0) == 0x5A4D and
    pe.imports("opends60.dll") and
    not pe.exports("__GetXpVersion")
}

rule espy_esp_network_capable : esp network
{
  meta:
    description = "ESP DLL that imports Winsock socket functions (proxying, scanning, remote access): no Microsoft ESP does"
    reference = "https://medium.com/@DCSO_CyTec/mssql-meet-maggie-898773df3b01"
    author = "espy"
    date = "2026-11-26"
    severity = "suspicious"
  condition:
    uint16(0) == 0x5A4D and
    pe.imports("opends60.dll") and
    (pe.imports("ws2_32.dll", "WSASocketA") or pe.imports("ws2_32.dll", "WSASocketW") or
     pe.imports("ws2_32.dll", "socket") or pe.imports("ws2_32.dll", "connect") or
     pe.imports("ws2_32.dll", "bind") or pe.imports("ws2_32.dll", "listen") or
     pe.imports("ws2_32.dll", "WSAStartup"))
}

rule espy_esp_shell_strings : esp execution
{
  meta:
    description = "ESP DLL that carries shell or scripting command lines (cmd.exe /c, powershell -enc, whoami)"
    reference = "https://attack.mitre.org/techniques/T1505/001/"
    author = "espy"
    date = "2026-11-26"
    severity = "suspicious"
  strings:
    $s1 = "cmd.exe /c" ascii wide nocase
    $s2 = "cmd /c" ascii wide nocase
    $s3 = "powershell -e" ascii wide nocase
    $s4 = "powershell.exe -e" ascii wide nocase
    $s5 = "whoami" ascii wide nocase
  condition:
    uint16(0) == 0x5A4D and
    pe.imports("opends60.dll") and
    not pe.exports("xp_cmdshell") and
    any of them
}
