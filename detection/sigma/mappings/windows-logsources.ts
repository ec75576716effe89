/**
 * Windows logsource → channel / EventID conditions and per-logsource field mappings: DATA.
 *
 * Source of the facts: SigmaHQ `tests/thor.yml` (SigmaHQ/sigma@8eaafff, DRL 1.1), the
 * `logsources` section: each `service` lists its `WinEventLog:<channel>` sources; each
 * `category` rewrites to a service plus EventID (and other field) conditions, with
 * `fieldmappings` for Security 4688 (Image → NewProcessName, ParentImage → ParentProcessName)
 * and Defender. Regenerate by re-reading that file; three services that thor.yml lacks but
 * rules in `rules/windows` use are added at the end (channel names from the Windows logs
 * themselves): dns-server, driver-framework, microsoft-servicebus-client (the older name
 * of servicebus-client).
 */

export interface CategoryMapping {
  category: string;
  /** The service the category rewrites to (its channels apply). */
  service: string;
  /** Field → accepted values (any of) that the event must have. */
  conditions: Readonly<Record<string, readonly (string | number)[]>>;
  /** Sigma field → this logsource's field name. */
  fieldMap?: Readonly<Record<string, string>>;
}

/** product: windows, service → event log channels (any of). */
export const WINDOWS_SERVICE_CHANNELS: Readonly<Record<string, readonly string[]>> = {
  "application": [
    "Application"
  ],
  "security": [
    "Security"
  ],
  "system": [
    "System"
  ],
  "ntlm": [
    "Microsoft-Windows-NTLM/Operational"
  ],
  "sysmon": [
    "Microsoft-Windows-Sysmon/Operational"
  ],
  "powershell": [
    "Microsoft-Windows-PowerShell/Operational",
    "PowerShellCore/Operational"
  ],
  "powershell-classic": [
    "Windows PowerShell"
  ],
  "taskscheduler": [
    "Microsoft-Windows-TaskScheduler/Operational"
  ],
  "wmi": [
    "Microsoft-Windows-WMI-Activity/Operational"
  ],
  "dhcp": [
    "Microsoft-Windows-DHCP-Server/Operational"
  ],
  "printservice-admin": [
    "Microsoft-Windows-PrintService/Admin"
  ],
  "smbclient-security": [
    "Microsoft-Windows-SmbClient/Security"
  ],
  "smbclient-connectivity": [
    "Microsoft-Windows-SmbClient/Connectivity"
  ],
  "smbserver-connectivity": [
    "Microsoft-Windows-SMBServer/Connectivity"
  ],
  "printservice-operational": [
    "Microsoft-Windows-PrintService/Operational"
  ],
  "terminalservices-localsessionmanager": [
    "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"
  ],
  "codeintegrity-operational": [
    "Microsoft-Windows-CodeIntegrity/Operational"
  ],
  "applocker": [
    "Microsoft-Windows-AppLocker/MSI and Script",
    "Microsoft-Windows-AppLocker/EXE and DLL",
    "Microsoft-Windows-AppLocker/Packaged app-Deployment",
    "Microsoft-Windows-AppLocker/Packaged app-Execution"
  ],
  "msexchange-management": [
    "MSExchange Management"
  ],
  "windefend": [
    "Microsoft-Windows-Windows Defender/Operational"
  ],
  "firewall-as": [
    "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"
  ],
  "bits-client": [
    "Microsoft-Windows-Bits-Client/Operational"
  ],
  "security-mitigations": [
    "Microsoft-Windows-Security-Mitigations/Kernel Mode",
    "Microsoft-Windows-Security-Mitigations/User Mode"
  ],
  "diagnosis-scripted": [
    "Microsoft-Windows-Diagnosis-Scripted/Operational"
  ],
  "shell-core": [
    "Microsoft-Windows-Shell-Core/Operational"
  ],
  "openssh": [
    "OpenSSH/Operational"
  ],
  "ldap": [
    "Microsoft-Windows-LDAP-Client/Debug"
  ],
  "bitlocker": [
    "Microsoft-Windows-BitLocker/BitLocker Management"
  ],
  "vhdmp": [
    "Microsoft-Windows-VHDMP/Operational"
  ],
  "appxdeployment-server": [
    "Microsoft-Windows-AppXDeploymentServer/Operational"
  ],
  "lsa-server": [
    "Microsoft-Windows-LSA/Operational"
  ],
  "appxpackaging-om": [
    "Microsoft-Windows-AppxPackaging/Operational"
  ],
  "dns-client": [
    "Microsoft-Windows-DNS Client Events/Operational"
  ],
  "appmodel-runtime": [
    "Microsoft-Windows-AppModel-Runtime/Admin"
  ],
  "capi2": [
    "Microsoft-Windows-CAPI2/Operational"
  ],
  "certificateservicesclient-lifecycle-system": [
    "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"
  ],
  "kernel-shimengine": [
    "Microsoft-Windows-Kernel-ShimEngine/Operational",
    "Microsoft-Windows-Kernel-ShimEngine/Diagnostic"
  ],
  "application-experience": [
    "Microsoft-Windows-Application-Experience/Program-Telemetry",
    "Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant"
  ],
  "ntfs": [
    "Microsoft-Windows-Ntfs/Operational"
  ],
  "hyper-v-worker": [
    "Microsoft-Windows-Hyper-V-Worker"
  ],
  "kernel-event-tracing": [
    "Microsoft-Windows-Kernel-EventTracing"
  ],
  "sense": [
    "Microsoft-Windows-SENSE/Operational"
  ],
  "servicebus-client": [
    "Microsoft-ServiceBus-Client/Admin",
    "Microsoft-ServiceBus-Client/Operational"
  ],
  "iis-configuration": [
    "Microsoft-IIS-Configuration/Operational"
  ],
  "dns-server": [
    "DNS Server"
  ],
  "driver-framework": [
    "Microsoft-Windows-DriverFrameworks-UserMode/Operational"
  ],
  "microsoft-servicebus-client": [
    "Microsoft-ServiceBus-Client/Admin",
    "Microsoft-ServiceBus-Client/Operational"
  ]
};

/** product: windows, category → alternatives (an event matches the logsource through any). */
export const WINDOWS_CATEGORIES: readonly CategoryMapping[] = [
  {
    "category": "process_creation",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        1
      ]
    }
  },
  {
    "category": "process_creation",
    "service": "security",
    "conditions": {
      "EventID": [
        4688
      ]
    },
    "fieldMap": {
      "Image": "NewProcessName",
      "ParentImage": "ParentProcessName"
    }
  },
  {
    "category": "file_change",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        2
      ]
    }
  },
  {
    "category": "network_connection",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        3
      ]
    }
  },
  {
    "category": "sysmon_status",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        4
      ]
    }
  },
  {
    "category": "sysmon_status",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        16
      ]
    }
  },
  {
    "category": "process_termination",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        5
      ]
    }
  },
  {
    "category": "driver_load",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        6
      ]
    }
  },
  {
    "category": "image_load",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        7
      ]
    }
  },
  {
    "category": "create_remote_thread",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        8
      ]
    }
  },
  {
    "category": "raw_access_thread",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        9
      ]
    }
  },
  {
    "category": "process_access",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        10
      ]
    }
  },
  {
    "category": "file_event",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        11
      ]
    }
  },
  {
    "category": "registry_event",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        12
      ]
    }
  },
  {
    "category": "registry_event",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        13
      ]
    }
  },
  {
    "category": "registry_event",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        14
      ]
    }
  },
  {
    "category": "registry_add",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        12
      ],
      "EventType": [
        "CreateKey"
      ]
    }
  },
  {
    "category": "registry_delete",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        12
      ],
      "EventType": [
        "DeleteKey"
      ]
    }
  },
  {
    "category": "registry_delete",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        12
      ],
      "EventType": [
        "DeleteValue"
      ]
    }
  },
  {
    "category": "registry_set",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        13
      ]
    }
  },
  {
    "category": "registry_rename",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        14
      ]
    }
  },
  {
    "category": "create_stream_hash",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        15
      ]
    }
  },
  {
    "category": "pipe_created",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        17
      ]
    }
  },
  {
    "category": "pipe_created",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        18
      ]
    }
  },
  {
    "category": "wmi_event",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        19
      ]
    }
  },
  {
    "category": "wmi_event",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        20
      ]
    }
  },
  {
    "category": "wmi_event",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        21
      ]
    }
  },
  {
    "category": "dns_query",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        22
      ]
    }
  },
  {
    "category": "file_delete",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        23
      ]
    }
  },
  {
    "category": "clipboard_change",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        24
      ]
    }
  },
  {
    "category": "process_tampering",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        25
      ]
    }
  },
  {
    "category": "file_delete_detected",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        26
      ]
    }
  },
  {
    "category": "file_block_executable",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        27
      ]
    }
  },
  {
    "category": "file_block_shredding",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        28
      ]
    }
  },
  {
    "category": "file_executable_detected",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        29
      ]
    }
  },
  {
    "category": "sysmon_error",
    "service": "sysmon",
    "conditions": {
      "EventID": [
        255
      ]
    }
  },
  {
    "category": "ps_module",
    "service": "powershell",
    "conditions": {
      "EventID": [
        4103
      ]
    }
  },
  {
    "category": "ps_script",
    "service": "powershell",
    "conditions": {
      "EventID": [
        4104
      ]
    }
  },
  {
    "category": "ps_classic_start",
    "service": "powershell-classic",
    "conditions": {
      "EventID": [
        400
      ]
    }
  },
  {
    "category": "ps_classic_provider_start",
    "service": "powershell-classic",
    "conditions": {
      "EventID": [
        600
      ]
    }
  },
  {
    "category": "ps_classic_script",
    "service": "powershell-classic",
    "conditions": {
      "EventID": [
        800
      ]
    }
  },
  {
    "category": "antivirus",
    "service": "windefend",
    "conditions": {
      "EventID": [
        1006,
        1007,
        1008,
        1009,
        1010,
        1011,
        1012,
        1017,
        1018,
        1019,
        1115,
        1116
      ]
    },
    "fieldMap": {
      "Signature": "ThreatName",
      "Filename": "Path"
    }
  }
];
